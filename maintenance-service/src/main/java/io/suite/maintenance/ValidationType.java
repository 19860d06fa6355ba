package io.suite.maintenance;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemContext;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemPostProcessor;

/**
 * A 400 that Quarkus raises for this service (a constraint of {@link Requests} or of a query
 * parameter, unreadable JSON) comes without a problem type: give it the suite's validation type,
 * the one callers match on for every other bad input ({@link BadJson#VALIDATION}).
 */
@ApplicationScoped
public class ValidationType implements ProblemPostProcessor {
    @Override
    public HttpProblem apply(HttpProblem problem, ProblemContext context) {
        boolean untyped = problem.getType() == null || "about:blank".equals(problem.getType().toString());
        return problem.getStatusCode() == 400 && untyped
                ? HttpProblem.builder(problem).withType(BadJson.VALIDATION).build()
                : problem;
    }
}
