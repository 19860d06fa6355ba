package io.suite.writeguard;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.suite.writeguard.MaintenanceState.Mode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadOnlyRuleTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static final Duration MAX_AGE = Duration.ofSeconds(5);
    private static final Instant LEASE_END = T0.plus(MAX_AGE);

    private static MaintenanceState state(Mode mode, long epoch, Long drainTimeoutMs) {
        return confirmed(mode, epoch, drainTimeoutMs, T0);
    }

    private static MaintenanceState confirmed(Mode mode, long epoch, Long drainTimeoutMs, Instant confirmedAt) {
        return new MaintenanceState(mode, epoch, "upgrade", T0, null, drainTimeoutMs, "ops", null, confirmedAt);
    }

    @Test
    void readWriteAdmitsWritesWhileItsLeaseRuns() {
        assertEquals(Optional.empty(), ReadOnlyRule.admit(state(Mode.READ_WRITE, 3, null), LEASE_END, T0));
        assertEquals(
                Optional.empty(),
                ReadOnlyRule.admit(state(Mode.READ_WRITE, 3, null), LEASE_END, LEASE_END.minusMillis(1)));
    }

    @Test
    void readWriteWhoseLeaseEndedIsStale() {
        assertEquals(
                Optional.of(Refusal.STATE_STALE),
                ReadOnlyRule.admit(state(Mode.READ_WRITE, 3, null), LEASE_END, LEASE_END));
        assertEquals(Optional.of(Refusal.STATE_STALE), ReadOnlyRule.admit(state(Mode.READ_WRITE, 3, null), null, T0));
    }

    @Test
    void readOnlyRefusesWritesWhateverItsAge() {
        assertEquals(Optional.of(Refusal.READ_ONLY), ReadOnlyRule.admit(state(Mode.READ_ONLY, 4, null), LEASE_END, T0));
        assertEquals(
                Optional.of(Refusal.READ_ONLY),
                ReadOnlyRule.admit(state(Mode.READ_ONLY, 4, null), LEASE_END, LEASE_END.plusSeconds(3600)));
    }

    @Test
    void unknownStateFailsClosed() {
        assertEquals(Optional.of(Refusal.STATE_UNKNOWN), ReadOnlyRule.admit(MaintenanceState.unknown(), LEASE_END, T0));
        assertEquals(Optional.of(Refusal.STATE_UNKNOWN), ReadOnlyRule.admit(null, LEASE_END, T0));
    }

    @Test
    void anExclusiveLockNeedsAnOpenWindowAndNoReadOnlyEpochUnlessItsTransactionIsWritingAlready() {
        Instant until = T0.plusSeconds(5);
        assertEquals(Optional.empty(), ReadOnlyRule.admitExclusiveLock(until, false, false, T0));
        assertEquals(
                Optional.empty(), ReadOnlyRule.admitExclusiveLock(until, false, false, until), "the window's last ms");
        assertEquals(
                Optional.of(Refusal.STATE_STALE),
                ReadOnlyRule.admitExclusiveLock(until, false, false, until.plusMillis(1)),
                "a replica frozen past its lease");
        assertEquals(
                Optional.of(Refusal.READ_ONLY),
                ReadOnlyRule.admitExclusiveLock(null, false, false, T0),
                "the replica refuses writes");
        assertEquals(
                Optional.of(Refusal.READ_ONLY),
                ReadOnlyRule.admitExclusiveLock(until, true, false, T0),
                "another replica told the store of a flip");
        assertEquals(
                Optional.of(Refusal.STATE_STALE),
                ReadOnlyRule.admitExclusiveLock(until, true, false, until.plusMillis(1)));
        assertEquals(Optional.empty(), ReadOnlyRule.admitExclusiveLock(null, true, true, T0), "its write is in flight");
        assertEquals(Optional.empty(), ReadOnlyRule.admitExclusiveLock(until, true, true, until.plusSeconds(60)));
    }

    @Test
    void theLeaseCountsFromConfirmationOrArrivalWhicheverIsEarlier() {
        assertEquals(
                LEASE_END, ReadOnlyRule.leaseEnd(T0, T0.plusSeconds(3), MAX_AGE), "delivered late: from confirmedAt");
        assertEquals(
                LEASE_END, ReadOnlyRule.leaseEnd(T0.plusSeconds(3), T0, MAX_AGE), "sender's clock ahead: from arrival");
        assertEquals(LEASE_END, ReadOnlyRule.leaseEnd(null, T0, MAX_AGE), "no confirmedAt: from arrival");
    }

    @Test
    void aConfirmationOnlyExtendsTheLeaseAndAChangeStartsItsOwn() {
        MaintenanceState rw = state(Mode.READ_WRITE, 3, null);
        MaintenanceState later = confirmed(Mode.READ_WRITE, 3, null, T0.plusSeconds(2));
        MaintenanceState old = confirmed(Mode.READ_WRITE, 3, null, T0.minusSeconds(60));
        assertTrue(later.sameStateAs(rw), "records differing only in confirmedAt are the same state");
        assertEquals(
                LEASE_END.plusSeconds(2), ReadOnlyRule.renewedLease(rw, LEASE_END, later, LEASE_END.plusSeconds(2)));
        assertEquals(
                LEASE_END,
                ReadOnlyRule.renewedLease(rw, LEASE_END, old, T0.minusSeconds(55)),
                "an old confirmation delivered late changes nothing");
        MaintenanceState next = confirmed(Mode.READ_WRITE, 4, null, T0.minusSeconds(60));
        assertFalse(next.sameStateAs(rw));
        assertEquals(
                T0.minusSeconds(55),
                ReadOnlyRule.renewedLease(rw, LEASE_END, next, T0.minusSeconds(55)),
                "a new epoch confirmed long ago is stale at once");
    }

    @Test
    void epochsNeverGoBackOnceKnown() {
        assertTrue(ReadOnlyRule.accepts(MaintenanceState.unknown(), state(Mode.READ_WRITE, 1, null)));
        assertTrue(ReadOnlyRule.accepts(state(Mode.READ_ONLY, 7, null), state(Mode.READ_ONLY, 7, null)));
        assertFalse(ReadOnlyRule.accepts(state(Mode.READ_ONLY, 7, null), state(Mode.READ_WRITE, 6, null)));
    }

    @Test
    void anAbortedWriteCountsUntilALaterEpoch() {
        assertTrue(ReadOnlyRule.abortedStillCounts(4, 4));
        assertFalse(ReadOnlyRule.abortedStillCounts(4, 5));
    }

    @Test
    void drainDeadlineCountsFromWhenTheFlipWasSeen() {
        assertEquals(Optional.of(T0.plusMillis(500)), ReadOnlyRule.drainDeadline(state(Mode.READ_ONLY, 4, 500L), T0));
        assertEquals(Optional.empty(), ReadOnlyRule.drainDeadline(state(Mode.READ_ONLY, 4, null), T0));
        assertEquals(Optional.empty(), ReadOnlyRule.drainDeadline(state(Mode.READ_WRITE, 4, 500L), T0));
    }

    @Test
    void onlyWritesAdmittedBeforeTheFlipAreAbortedAndOnlyAfterTheDeadline() {
        MaintenanceState ro = state(Mode.READ_ONLY, 4, 500L);
        Instant deadline = T0.plusMillis(500);
        assertFalse(ReadOnlyRule.mustAbort(3, ro, deadline, T0.plusMillis(499)));
        assertTrue(ReadOnlyRule.mustAbort(3, ro, deadline, deadline));
        assertFalse(ReadOnlyRule.mustAbort(3, ro, null, deadline), "no drain timeout: writes may finish");
        assertFalse(
                ReadOnlyRule.mustAbort(5, state(Mode.READ_WRITE, 5, null), deadline, deadline.plusSeconds(9)),
                "back in read-write: nothing is aborted");
    }

    @Test
    void drainedMeansReadOnlyWithNothingInFlight() {
        assertTrue(ReadOnlyRule.drained(state(Mode.READ_ONLY, 4, null), 0));
        assertFalse(ReadOnlyRule.drained(state(Mode.READ_ONLY, 4, null), 1));
        assertFalse(ReadOnlyRule.drained(state(Mode.READ_WRITE, 4, null), 0));
        assertFalse(ReadOnlyRule.drained(MaintenanceState.unknown(), 0));
    }
}
