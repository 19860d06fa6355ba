package io.suite.maintenance;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import jakarta.ws.rs.core.Response;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.problems.ProblemTypes;

/**
 * The rules of the maintenance state machine, in one place and free of I/O: which request makes
 * a new epoch, which renews, which is refused. Empty means "no change" (answered with the state).
 */
public final class Transitions {
    static final URI BACKUP_IN_PROGRESS = ProblemTypes.BACKUP_IN_PROGRESS;
    static final URI NOT_READ_ONLY = ProblemTypes.NOT_READ_ONLY;
    static final URI CONFLICT = ProblemTypes.CONFLICT;

    private Transitions() {}

    /**
     * READ_WRITE → READ_ONLY, a new epoch. Already READ_ONLY: a renewal of the same epoch
     * (expiresAt = now + duration; heldBy set if given, never cleared here).
     */
    public static Transition readOnly(
            MaintenanceState cur,
            String reason,
            Duration duration,
            Duration drainTimeout,
            String heldBy,
            String who,
            Instant now) {
        if (cur.readOnly()) {
            return renewal(cur, duration, heldBy, reason, who, now);
        }
        MaintenanceState next = new MaintenanceState(
                Mode.READ_ONLY,
                cur.epoch() + 1,
                reason,
                now,
                now.plus(duration),
                drainTimeout.toMillis(),
                who,
                heldBy,
                cur.version() + 1);
        return new Transition(next, "read-only", reason, who, now, false);
    }

    /** Extends the current READ_ONLY epoch; 409 when not read-only or when {@code epoch} is not the current one. */
    public static Transition renew(
            MaintenanceState cur, Long epoch, Duration duration, String heldBy, String who, Instant now) {
        if (!cur.readOnly() || (epoch != null && epoch != cur.epoch())) {
            throw HttpProblem.builder()
                    .withType(NOT_READ_ONLY)
                    .withStatus(Response.Status.CONFLICT)
                    .withTitle("Not in that read-only epoch")
                    .withDetail("Renewal of epoch " + epoch + " refused: the system is " + cur.mode() + " epoch "
                            + cur.epoch())
                    .with("mode", cur.mode().name())
                    .with("epoch", cur.epoch())
                    .build();
        }
        return renewal(cur, duration, heldBy, "renewed", who, now);
    }

    private static Transition renewal(
            MaintenanceState cur, Duration duration, String heldBy, String reason, String who, Instant now) {
        MaintenanceState next = new MaintenanceState(
                cur.mode(),
                cur.epoch(),
                cur.reason(),
                cur.since(),
                now.plus(duration),
                cur.drainTimeoutMs(),
                cur.requestedBy(),
                heldBy != null ? heldBy : cur.heldBy(),
                cur.version() + 1);
        return new Transition(next, "renew", reason, who, now, false);
    }

    /** Drops the hold of {@code heldBy} and leaves the mode as it is (a backup that did not set read-only). */
    public static Optional<Transition> release(MaintenanceState cur, String heldBy, String who, Instant now) {
        if (!cur.readOnly() || !Objects.equals(cur.heldBy(), heldBy)) {
            return Optional.empty();
        }
        MaintenanceState next = new MaintenanceState(
                cur.mode(),
                cur.epoch(),
                cur.reason(),
                cur.since(),
                cur.expiresAt(),
                cur.drainTimeoutMs(),
                cur.requestedBy(),
                null,
                cur.version() + 1);
        return Optional.of(new Transition(next, "release", "released by " + heldBy, who, now, false));
    }

    /**
     * READ_ONLY → READ_WRITE, a new epoch. Refused (409 backup-in-progress) while held by someone
     * else than {@code heldBy}, unless forced. Already READ_WRITE: no change.
     */
    public static Optional<Transition> readWrite(
            MaintenanceState cur, String reason, String heldBy, boolean force, String who, Instant now) {
        if (!cur.readOnly()) {
            return Optional.empty();
        }
        boolean heldByOther = cur.heldBy() != null && !cur.heldBy().equals(heldBy);
        if (heldByOther && !force) {
            throw HttpProblem.builder()
                    .withType(BACKUP_IN_PROGRESS)
                    .withStatus(Response.Status.CONFLICT)
                    .withTitle("A backup holds the system read-only")
                    .withDetail("Read-only epoch " + cur.epoch() + " is held by " + cur.heldBy()
                            + "; wait for it or send \"force\":true")
                    .with("heldBy", cur.heldBy())
                    .with("epoch", cur.epoch())
                    .build();
        }
        return Optional.of(
                new Transition(readWriteState(cur, reason, who, now), "read-write", reason, who, now, heldByOther));
    }

    /** READ_ONLY past its expiresAt → READ_WRITE with reason "expired", held or not: holders must renew. */
    public static Optional<Transition> expire(MaintenanceState cur, Instant now) {
        if (!cur.readOnly() || cur.expiresAt() == null || now.isBefore(cur.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(new Transition(
                readWriteState(cur, "expired", "maintenance-service", now),
                "expired",
                "expired",
                "maintenance-service",
                now,
                false));
    }

    private static MaintenanceState readWriteState(MaintenanceState cur, String reason, String who, Instant now) {
        return new MaintenanceState(
                Mode.READ_WRITE, cur.epoch() + 1, reason, now, null, null, who, null, cur.version() + 1);
    }
}
