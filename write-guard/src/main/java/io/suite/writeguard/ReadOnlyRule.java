package io.suite.writeguard;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * THE read-only rule of the suite, in one place: may a write be admitted now, how long does a
 * READ_WRITE state hold (the lease), must a write that is running be aborted, does an aborted
 * write still count, and has this write path drained. Pure functions, unit-tested beside.
 */
public final class ReadOnlyRule {
    private ReadOnlyRule() {}

    /**
     * Empty when a new write may start at {@code now} under {@code state}, whose READ_WRITE lease
     * ends at {@code leaseEnd}; otherwise why not. Unknown state and an ended lease fail closed;
     * READ_ONLY refuses whatever its age.
     */
    public static Optional<Refusal> admit(MaintenanceState state, Instant leaseEnd, Instant now) {
        if (state == null || !state.known()) {
            return Optional.of(Refusal.STATE_UNKNOWN);
        }
        if (state.readOnly()) {
            return Optional.of(Refusal.READ_ONLY);
        }
        return leaseEnd == null || !now.isBefore(leaseEnd) ? Optional.of(Refusal.STATE_STALE) : Optional.empty();
    }

    /**
     * lock-service's variant of {@link #admit}: an EXCLUSIVE lock is a write, granted in a store that
     * every replica shares (Redis), by whichever replica's call happens to grant it. Empty when the
     * grant may happen at {@code storeNow} (the store's clock); otherwise why not:
     * <ul>
     * <li>a transaction that already holds an EXCLUSIVE item has its write in flight: it may go on (the
     * drain deadline ends it), whatever the state;</li>
     * <li>else {@link Refusal#STATE_STALE} when the granting replica's window ({@code writableUntil}, its
     * guard's lease; null while it refuses writes) ended before the store's clock (a replica frozen past
     * its lease cannot grant late);</li>
     * <li>else {@link Refusal#READ_ONLY} while the replica refuses writes or the store heard of a
     * read-only epoch from any replica (the first replica to see a flip closes it for all); the replica
     * words the answer with its own guard's refusal when it refuses writes itself.</li>
     * </ul>
     * As nobody gets a first EXCLUSIVE item once closed, "holds one now" equals "held one at the flip".
     * lock-service's {@code locks.lua} (function {@code refusal}) applies exactly this, atomically with
     * the grant; its {@code LockScriptTest} runs the same table of cases through both.
     */
    public static Optional<Refusal> admitExclusiveLock(
            Instant writableUntil, boolean storeKnowsReadOnly, boolean holdsExclusive, Instant storeNow) {
        if (holdsExclusive) {
            return Optional.empty();
        }
        if (writableUntil != null && storeNow.isAfter(writableUntil)) {
            return Optional.of(Refusal.STATE_STALE);
        }
        return writableUntil == null || storeKnowsReadOnly ? Optional.of(Refusal.READ_ONLY) : Optional.empty();
    }

    /**
     * The end of the lease a record gives: it counts from when maintenance-service confirmed it,
     * or from when it was received if that is earlier (or confirmedAt is absent), so a record
     * delivered late never holds READ_WRITE longer than its sender meant.
     */
    public static Instant leaseEnd(Instant confirmedAt, Instant receivedAt, Duration maxAge) {
        Instant from = confirmedAt == null || receivedAt.isBefore(confirmedAt) ? receivedAt : confirmedAt;
        return from.plus(maxAge);
    }

    /**
     * The lease after {@code next} was received while {@code current} (ending at {@code currentEnd})
     * was followed: a mere confirmation can only extend it (an old one delivered late changes
     * nothing), a change of state starts its own.
     */
    public static Instant renewedLease(
            MaintenanceState current, Instant currentEnd, MaintenanceState next, Instant nextEnd) {
        if (next.sameStateAs(current) && currentEnd != null && currentEnd.isAfter(nextEnd)) {
            return currentEnd;
        }
        return nextEnd;
    }

    /** Whether {@code next} is applied at all: epochs never go back once a state is known. */
    public static boolean accepts(MaintenanceState current, MaintenanceState next) {
        return !current.known() || next.epoch() >= current.epoch();
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
        return state != null
                && state.readOnly()
                && admittedEpoch < state.epoch()
                && deadline != null
                && !now.isBefore(deadline);
    }

    /**
     * An aborted write counts in flight until its work has really ended, or until a later epoch
     * than the one that aborted it is applied (by then maintenance-service has fenced this path,
     * or the operator went back to READ_WRITE).
     */
    public static boolean abortedStillCounts(long abortedInEpoch, long currentEpoch) {
        return currentEpoch <= abortedInEpoch;
    }

    /** Drained for the current epoch: read-only and nothing in flight (counted writes plus extra sources). */
    public static boolean drained(MaintenanceState state, long inFlight) {
        return state != null && state.readOnly() && inFlight == 0;
    }
}
