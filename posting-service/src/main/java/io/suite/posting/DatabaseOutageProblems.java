package io.suite.posting;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemContext;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemPostProcessor;

/**
 * A call that failed because PostgreSQL is gone is a 503 {@code database-unavailable} (Retry-After), never a
 * 500: reads, and writes that could not reach it. (A write that lost its connection under way is answered
 * {@code outcome-unknown} where it runs: {@link DatabaseOutage#ofWrite}.) Runs before the problem logger,
 * so the log shows the 503 the caller got.
 */
@ApplicationScoped
public class DatabaseOutageProblems implements ProblemPostProcessor {
    @Override
    public HttpProblem apply(HttpProblem problem, ProblemContext context) {
        boolean outage = problem.getStatusCode() == 500
                && context.cause != null
                && (DatabaseOutage.unreachable(context.cause) || DatabaseOutage.connectionLost(context.cause));
        return outage ? DatabaseOutage.unavailable(context.cause) : problem;
    }

    @Override
    public int priority() {
        return 200;
    }
}
