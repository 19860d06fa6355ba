package io.suite.writeguard;

import java.time.Instant;
import java.util.Optional;

/**
 * THE read-only rule of the suite, in one place: may a write be admitted now, must a write that
 * is running be aborted, and has this write path drained. Pure functions, unit-tested beside.
 */
public final class ReadOnlyRule {
    private ReadOnlyRule() {
    }

    /** Empty when a new write may start under {@code state}; otherwise why not. Unknown state fails closed. */
    public static Optional<Refusal> admit(MaintenanceState state) {
        if (state == null || !state.known()) {
            return Optional.of(Refusal.STATE_UNKNOWN);
        }
        return state.readOnly() ? Optional.of(Refusal.READ_ONLY) : Optional.empty();
    }

    /**
     * The moment writes admitted before a flip to READ_ONLY must be rolled back, counted from when
     * this instance saw the flip (clocks of other hosts are not trusted); empty when there is no limit.
     */
    public static Optional<Instant> drainDeadline(MaintenanceState state, Instant seenAt) {
        if (state == null || !state.readOnly() || state.drainTimeoutMs() == null) {
            return Optional.empty();
        }
        return Optional.of(seenAt.plusMillis(state.drainTimeoutMs()));
    }

    /** A write admitted in {@code admittedEpoch} must be aborted once read-only epoch's drain deadline has passed. */
    public static boolean mustAbort(long admittedEpoch, MaintenanceState state, Instant deadline, Instant now) {
        return state != null && state.readOnly() && admittedEpoch < state.epoch()
                && deadline != null && !now.isBefore(deadline);
    }

    /** Drained for the current epoch: read-only and nothing in flight (counted writes plus extra sources). */
    public static boolean drained(MaintenanceState state, long inFlight) {
        return state != null && state.readOnly() && inFlight == 0;
    }
}
