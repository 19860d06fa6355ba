package io.suite.locks;

import java.time.Instant;

import io.suite.writeguard.MaintenanceState;
import io.suite.writeguard.ReadOnlyException;
import io.suite.writeguard.ReadOnlyRule;
import io.suite.writeguard.Refusal;
import io.suite.writeguard.WriteGuard;

/**
 * lock-service's half of the read-only rule ({@link ReadOnlyRule#admitExclusiveLock}, enforced by
 * {@code locks.lua}'s {@code refusal} atomically with each grant): the inputs this replica sends with
 * every script call, and the answer to a refusal the script decided. {@code stale}: Redis' clock was
 * past the write window this replica sent (its READ_WRITE lease had run out).
 */
final class ReadOnlyRefusal extends RuntimeException {
    final boolean stale;
    /** The read-only epoch Redis knows of (seen by some replica), or null. */
    final Long epoch;

    ReadOnlyRefusal(boolean stale, Long epoch) {
        super(stale ? "state-stale" : "read-only", null, false, false);
        this.stale = stale;
        this.epoch = epoch;
    }

    /** The rule's {@code writableUntil}, as the script takes it: epoch ms, or "" while the guard refuses writes. */
    static String writeWindow(WriteGuard guard) {
        return guard.writableUntil()
                .map(Instant::toEpochMilli)
                .map(String::valueOf)
                .orElse("");
    }

    /** The state the guard follows, as the script takes it ("epoch:R", "epoch:W", "" unknown): Redis keeps the newest. */
    static String maintenanceState(WriteGuard guard) {
        MaintenanceState s = guard.state();
        return s.known() ? s.epoch() + (s.readOnly() ? ":R" : ":W") : "";
    }

    /**
     * The 503: state-stale when Redis' clock passed this replica's lease; the guard's own refusal when
     * it refuses writes too (or Redis knows no epoch); else another replica saw the flip first.
     */
    ReadOnlyException answer(WriteGuard guard) {
        if (stale) {
            return new ReadOnlyException(Refusal.STATE_STALE, Refusal.STATE_STALE.tag(), guard.epoch(), 1);
        }
        if (guard.refusesWrites() || epoch == null) {
            return guard.refusal();
        }
        return new ReadOnlyException(
                Refusal.READ_ONLY, "read-only (epoch " + epoch + ", seen by another replica)", epoch, 1);
    }
}
