package io.suite.writeguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.suite.writeguard.MaintenanceState.Mode;

class ReadOnlyRuleTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static MaintenanceState state(Mode mode, long epoch, Long drainTimeoutMs) {
        return new MaintenanceState(mode, epoch, "upgrade", T0, null, drainTimeoutMs, "ops", null);
    }

    @Test
    void readWriteAdmitsWrites() {
        assertEquals(Optional.empty(), ReadOnlyRule.admit(state(Mode.READ_WRITE, 3, null)));
        assertEquals(Optional.empty(), ReadOnlyRule.admit(MaintenanceState.initial()));
    }

    @Test
    void readOnlyRefusesWrites() {
        assertEquals(Optional.of(Refusal.READ_ONLY), ReadOnlyRule.admit(state(Mode.READ_ONLY, 4, null)));
    }

    @Test
    void unknownStateFailsClosed() {
        assertEquals(Optional.of(Refusal.STATE_UNKNOWN), ReadOnlyRule.admit(MaintenanceState.unknown()));
        assertEquals(Optional.of(Refusal.STATE_UNKNOWN), ReadOnlyRule.admit(null));
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
        assertFalse(ReadOnlyRule.mustAbort(5, state(Mode.READ_WRITE, 5, null), deadline, deadline.plusSeconds(9)),
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
