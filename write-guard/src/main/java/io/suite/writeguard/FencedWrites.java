package io.suite.writeguard;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemContext;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemPostProcessor;

/**
 * A write the database refused because maintenance-service fenced this write path (its role lost its
 * write privileges: SQLSTATE 42501) is a 503 {@code read-only} with refusal {@code fenced}, never a 500.
 * It happens when read-only began while this instance could not hear it (Kafka paused or cut off) and
 * its READ_WRITE lease had not run out: the fence, not the guard, stopped the write; nothing was written.
 * Runs before the problem logger, so the log shows the 503 the caller got.
 */
@ApplicationScoped
public class FencedWrites implements ProblemPostProcessor {
    /** insufficient_privilege: what PostgreSQL answers a role whose write privileges the fence revoked. */
    static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final WriteGuard guard;

    FencedWrites(WriteGuard guard) {
        this.guard = guard;
    }

    @Override
    public HttpProblem apply(HttpProblem problem, ProblemContext context) {
        return problem.getStatusCode() == 500 && refusedByFence(context.cause) ? guard.fenced() : problem;
    }

    @Override
    public int priority() {
        return 200;
    }

    /** The failure, or one of its causes, is PostgreSQL refusing a privilege (JDBC's or the reactive client's). */
    public static boolean refusedByFence(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException sql && INSUFFICIENT_PRIVILEGE.equals(sql.getSQLState())) {
                return true;
            }
            // the reactive client's PgException: "ERROR: permission denied for table t (42501)"
            if (c.getMessage() != null && c.getMessage().endsWith("(" + INSUFFICIENT_PRIVILEGE + ")")) {
                return true;
            }
        }
        return false;
    }
}
