package io.suite.problems;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemContext;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemPostProcessor;

/**
 * A problem that Quarkus raises itself (a Bean Validation constraint, an unknown path, a wrong
 * method or media type) comes without a type, or with {@code about:blank}: give it the suite's type
 * for its status ({@link ProblemTypes#forStatus}), so that callers can match every answer on a suite type.
 * A 400 for unreadable JSON gets the {@code violations} of {@link JsonBodyMappers}.
 */
@ApplicationScoped
public class SuiteTypes implements ProblemPostProcessor {
    @Override
    public HttpProblem apply(HttpProblem problem, ProblemContext context) {
        JsonProcessingException json = JsonBodyMappers.jsonCause(context.cause);
        if (json != null && problem.getStatusCode() == 400) {
            return JsonBodyMappers.problem(json);
        }
        boolean untyped = problem.getType() == null || "about:blank".equals(problem.getType().toString());
        return untyped ? HttpProblem.builder(problem).withType(ProblemTypes.forStatus(problem.getStatusCode())).build()
                : problem;
    }
}
