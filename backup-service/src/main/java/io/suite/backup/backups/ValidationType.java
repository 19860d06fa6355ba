package io.suite.backup.backups;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemContext;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemPostProcessor;

/**
 * A 400 that Quarkus raises for this API (a constraint of a request, unreadable JSON) comes
 * without a problem type: give it the type of every other bad input ({@link Problems#VALIDATION}).
 */
@ApplicationScoped
public class ValidationType implements ProblemPostProcessor {
    @Override
    public HttpProblem apply(HttpProblem problem, ProblemContext context) {
        boolean untyped = problem.getType() == null || "about:blank".equals(problem.getType().toString());
        return problem.getStatusCode() == 400 && untyped
                ? HttpProblem.builder(problem).withType(Problems.VALIDATION).build()
                : problem;
    }
}
