package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * How the write paths make the phase, and which of them must be fenced. Pure, table-tested beside.
 * <p>
 * In READ_ONLY epoch N a write path counts toward DRAINED only if it reported drained for N or it
 * is fenced for N: a silent path is not "gone", it may wake with a write in flight, so it holds
 * DRAINED back until the fence makes sure nothing it began can commit.
 */
public final class PhaseRule {
    private PhaseRule() {}

    public enum PathState {
        /** Heard from within lost-after, not drained for the current epoch. */
        LIVE,
        /** Reported drained for the current (read-only) epoch. */
        DRAINED,
        /** Silent longer than lost-after and not fenced: holds DRAINED back. */
        LOST,
        /** Fenced for the current epoch: its lease is over and its database refuses it. */
        FENCED;

        public String tag() {
            return name().toLowerCase();
        }
    }

    /** The durations the rule depends on (from {@link MaintenanceConfig}). */
    public record Limits(Duration lostAfter, Duration clockSkewMargin) {}

    public static PathState classify(
            WritePath p, long currentEpoch, Set<String> fenced, Instant now, Duration lostAfter) {
        if (p.drained() && p.epoch() == currentEpoch) {
            return PathState.DRAINED;
        }
        if (fenced.contains(p.instance())) {
            return PathState.FENCED;
        }
        return silent(p, now, lostAfter) ? PathState.LOST : PathState.LIVE;
    }

    /** No heartbeat for longer than lostAfter. */
    public static boolean silent(WritePath p, Instant now, Duration lostAfter) {
        return Duration.between(p.lastSeen(), now).compareTo(lostAfter) > 0;
    }

    /** A write path silent longer than dropAfter may be forgotten (only ever in READ_WRITE, see Maintenance). */
    public static boolean dropped(WritePath p, Instant now, Duration dropAfter) {
        return Duration.between(p.lastSeen(), now).compareTo(dropAfter) > 0;
    }

    /**
     * ACTIVE in READ_WRITE. In READ_ONLY epoch N: DRAINED once every known write path reported
     * drained for N or is fenced for N; DRAINING before that, and DRAINING as long as the recent
     * heartbeats have not been read yet (just started: a write path may not be known yet).
     */
    public static Phase phase(
            MaintenanceState state,
            Collection<WritePath> paths,
            Set<String> fenced,
            boolean heartbeatsCaughtUp,
            Instant now,
            Duration lostAfter) {
        if (!state.readOnly()) {
            return Phase.ACTIVE;
        }
        if (!heartbeatsCaughtUp) {
            return Phase.DRAINING;
        }
        for (WritePath p : paths) {
            PathState s = classify(p, state.epoch(), fenced, now, lostAfter);
            if (s != PathState.DRAINED && s != PathState.FENCED) {
                return Phase.DRAINING;
            }
        }
        return Phase.DRAINED;
    }

    /**
     * Whether maintenance-service must fence {@code p} now: read-only, not drained for the epoch,
     * not fenced yet, and either silent (lost-after) or still not drained at flip + drainTimeout;
     * and only once the READ_WRITE lease the path may still hold has surely ended ({@link #leaseEnded}):
     * before that, a fence alone would not make DRAINED true. Unless the fence stops every write of
     * the path ({@link #fenceStopsAllWrites}): then its lease no longer matters.
     *
     * @param fenceableServices the services whose database roles maintenance-service can fence
     */
    public static boolean mustFence(
            WritePath p,
            MaintenanceState state,
            Set<String> fenced,
            Instant now,
            Limits limits,
            Set<String> fenceableServices) {
        if (!state.readOnly()) {
            return false;
        }
        PathState s = classify(p, state.epoch(), fenced, now, limits.lostAfter());
        Duration drainTimeout = Duration.ofMillis(state.drainTimeoutMs() != null ? state.drainTimeoutMs() : 0);
        boolean overdue = !now.isBefore(state.since().plus(drainTimeout));
        return (s == PathState.LOST || (s == PathState.LIVE && overdue))
                && (fenceStopsAllWrites(p, fenceableServices) || leaseEnded(p, state, now, limits.clockSkewMargin()));
    }

    /**
     * Every write of the path goes through its database role (it says so in its heartbeat) and that
     * role can be fenced: once fenced, the path cannot write even while its READ_WRITE lease lasts.
     */
    public static boolean fenceStopsAllWrites(WritePath p, Set<String> fenceableServices) {
        return p.writesOnlyInDatabase() && fenceableServices.contains(p.service());
    }

    /**
     * The path's READ_WRITE lease has ended: every READ_WRITE confirmation was stamped before the
     * flip ({@code since}), and the path stops writing stateMaxAge after the confirmation it last
     * heard; the margin covers the clocks of this service and of the path disagreeing.
     */
    public static boolean leaseEnded(WritePath p, MaintenanceState state, Instant now, Duration clockSkewMargin) {
        return !now.isBefore(state.since().plus(p.stateMaxAge()).plus(clockSkewMargin));
    }
}
