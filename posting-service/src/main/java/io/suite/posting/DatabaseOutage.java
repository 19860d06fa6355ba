package io.suite.posting;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.problems.ProblemTypes;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * PostgreSQL gone, in the two ways a caller must tell apart:
 * <ul>
 * <li><b>unreachable</b>: no connection could be made, so nothing was sent: 503 {@code database-unavailable}
 * with {@code Retry-After}; a retry is a fresh request.</li>
 * <li><b>connection lost</b> under a call: a write sent (its statement, its COMMIT) may or may not have
 * committed. A write answers 503 {@code outcome-unknown}: retried with the same Idempotency-Key it is
 * safe, because the key is written in the write's own transaction (the retry replays the first answer
 * if it committed, or posts afresh if it did not). A read that lost its connection is only unavailable.</li>
 * </ul>
 */
public final class DatabaseOutage {
    public static final URI OUTCOME_UNKNOWN = ProblemTypes.OUTCOME_UNKNOWN;
    public static final URI UNAVAILABLE = ProblemTypes.DATABASE_UNAVAILABLE;
    private static final int RETRY_AFTER_SECONDS = 1;

    /** Refused at connection time: shutting down, starting up, too many connections, cannot connect. */
    private static final Set<String> CONNECT_STATES = Set.of("57P03", "53300", "08001", "08004");
    /** The session ended under a call: administrator command or crash shutdown, terminated, link broken. */
    private static final Set<String> LOST_STATES = Set.of("57P01", "57P02", "08003", "08006", "08007");
    /** admin_shutdown: the server ends this session (terminated by an administrator, or shutting down). */
    private static final String ADMIN_SHUTDOWN = "57P01";

    private DatabaseOutage() {}

    /** No connection could be made: nothing of the call reached PostgreSQL. */
    public static boolean unreachable(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
            if (c instanceof PgException pg && CONNECT_STATES.contains(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /** The connection died while the call used it: what it had sent may or may not have taken effect. */
    public static boolean connectionLost(Throwable failure) {
        if (unreachable(failure)) {
            return false;
        }
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClosedConnectionException || c instanceof ClosedChannelException) {
                return true;
            }
            if (c instanceof PgException pg && LOST_STATES.contains(pg.getSqlState())) {
                return true;
            }
            if (c instanceof SQLException sql && sql.getSQLState() != null && LOST_STATES.contains(sql.getSQLState())) {
                return true;
            }
            // Vert.x reports a connection closed under a pending command as a plain VertxException
            if (c instanceof VertxException
                    && c.getMessage() != null
                    && c.getMessage().toLowerCase(Locale.ROOT).contains("connection")
                    && c.getMessage().toLowerCase(Locale.ROOT).contains("closed")) {
                return true;
            }
            if (c instanceof IOException io
                    && io.getMessage() != null
                    && io.getMessage().contains("Connection reset")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The session had ended before this statement could take effect: PostgreSQL answered it with the
     * {@code 57P01} it sends a session it ends ({@code pg_terminate_backend}, as maintenance-service's fence
     * does, or a fast shutdown; a statement under way then is rolled back), or the pool handed out a
     * connection already closed. Nothing of it was written: it may be sent again on a fresh connection.
     */
    public static boolean endedBeforeItRan(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof PgException pg && ADMIN_SHUTDOWN.equals(pg.getSqlState())) {
                return true;
            }
            if (c instanceof SQLException sql && ADMIN_SHUTDOWN.equals(sql.getSQLState())) {
                return true;
            }
            // the pool's connection was closed before the command went out: nothing was sent
            if (c.getMessage() != null
                    && (c.getMessage().startsWith("Connection is not active now")
                            || c.getMessage().startsWith("Pending requests failed to be sent"))) {
                return true;
            }
        }
        return false;
    }

    /** A write's failure as its caller must see it: a lost connection makes its outcome unknown. */
    public static Throwable ofWrite(Throwable failure) {
        return connectionLost(failure) ? outcomeUnknown(failure) : failure;
    }

    public static HttpProblem outcomeUnknown(Throwable failure) {
        return HttpProblem.builder()
                .withType(OUTCOME_UNKNOWN)
                .withStatus(503)
                .withTitle("Outcome unknown")
                .withHeader("Retry-After", RETRY_AFTER_SECONDS)
                .withDetail("The connection to PostgreSQL was lost while this write was under way: it may or may not"
                        + " have been written. Send it again with the same Idempotency-Key: you get the first answer"
                        + " if it was written, else it is posted now (" + reason(failure) + ")")
                .build();
    }

    public static HttpProblem unavailable(Throwable failure) {
        return HttpProblem.builder()
                .withType(UNAVAILABLE)
                .withStatus(503)
                .withTitle("Database unavailable")
                .withHeader("Retry-After", RETRY_AFTER_SECONDS)
                .withDetail("PostgreSQL cannot be reached; nothing was done (" + reason(failure) + ")")
                .build();
    }

    private static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
