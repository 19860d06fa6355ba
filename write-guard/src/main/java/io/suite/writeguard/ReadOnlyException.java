package io.suite.writeguard;

import java.net.URI;

import jakarta.ws.rs.core.Response;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.problems.ProblemTypes;

/**
 * A write refused by the read-only rule. It is an {@link HttpProblem}, so quarkus-resteasy-problem
 * renders it as 503 {@code application/problem+json}, type {@link ProblemTypes#READ_ONLY},
 * header {@code Retry-After} (seconds) and top-level fields {@code reason}, {@code epoch} and
 * {@code refusal} (read-only | state-unknown | state-stale | drain-timeout | fenced).
 */
public class ReadOnlyException extends HttpProblem {
    public static final URI TYPE = ProblemTypes.READ_ONLY;

    private final Refusal refusal;
    private final String reason;
    private final long epoch;
    private final long retryAfterSeconds;

    public ReadOnlyException(Refusal refusal, String reason, long epoch, long retryAfterSeconds) {
        super(HttpProblem.builder()
                .withType(TYPE)
                .withTitle("Service is read-only")
                .withStatus(Response.Status.SERVICE_UNAVAILABLE)
                .withDetail(detail(refusal, reason, epoch))
                .withHeader("Retry-After", retryAfterSeconds)
                .with("reason", reason)
                .with("epoch", epoch)
                .with("refusal", refusal.tag()));
        this.refusal = refusal;
        this.reason = reason;
        this.epoch = epoch;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    private static String detail(Refusal refusal, String reason, long epoch) {
        return switch (refusal) {
            case READ_ONLY -> "Writes are refused: maintenance mode (epoch " + epoch + "): " + reason;
            case STATE_UNKNOWN -> "Writes are refused until this instance has read the maintenance state";
            case STATE_STALE ->
                "Writes are refused: this instance has not heard the maintenance state (epoch " + epoch
                        + ") confirmed recently enough to be sure it is still read-write; they resume when it does";
            case DRAIN_TIMEOUT ->
                "The write was rolled back: still running when the drain timeout of read-only epoch " + epoch
                        + " was up";
            case FENCED ->
                "Writes are refused: the database refused this one (nothing was written) because maintenance-service"
                        + " fenced this write path for read-only mode, which this instance (at epoch " + epoch
                        + ") has not heard yet";
        };
    }

    public Refusal refusal() {
        return refusal;
    }

    public String reason() {
        return reason;
    }

    public long epoch() {
        return epoch;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
