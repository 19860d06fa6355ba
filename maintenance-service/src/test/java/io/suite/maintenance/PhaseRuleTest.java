package io.suite.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class PhaseRuleTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:10Z");
    private static final Duration LOST = Duration.ofSeconds(5);
    private static final MaintenanceState RO = new MaintenanceState(Mode.READ_ONLY, 7, "upgrade", NOW, null, null, "ops", null, 1);
    private static final MaintenanceState RW = new MaintenanceState(Mode.READ_WRITE, 8, "done", NOW, null, null, "ops", null, 2);

    private static WritePath path(long epoch, boolean drained, long secondsAgo) {
        return new WritePath("i" + epoch + drained + secondsAgo, "posting-service", epoch, drained ? 0 : 1, drained,
                NOW.minusSeconds(secondsAgo));
    }

    @Test
    void readWriteIsActive() {
        assertEquals(Phase.ACTIVE, PhaseRule.phase(RW, List.of(path(8, false, 0)), true, NOW, LOST));
    }

    @Test
    void drainedOnlyWhenEveryLivePathDrainedForTheCurrentEpoch() {
        assertEquals(Phase.DRAINED, PhaseRule.phase(RO, List.of(path(7, true, 0), path(7, true, 1)), true, NOW, LOST));
        assertEquals(Phase.DRAINING, PhaseRule.phase(RO, List.of(path(7, true, 0), path(7, false, 1)), true, NOW, LOST));
        assertEquals(Phase.DRAINING, PhaseRule.phase(RO, List.of(path(6, true, 0)), true, NOW, LOST),
                "drained for an older epoch does not count");
    }

    @Test
    void lostPathsDoNotHoldDrainedBack() {
        assertEquals(Phase.DRAINED, PhaseRule.phase(RO, List.of(path(7, true, 0), path(6, false, 6)), true, NOW, LOST));
        assertEquals(PhaseRule.PathState.LOST, PhaseRule.classify(path(6, false, 6), 7, NOW, LOST));
        assertEquals(PhaseRule.PathState.LIVE, PhaseRule.classify(path(6, false, 5), 7, NOW, LOST));
        assertEquals(PhaseRule.PathState.DRAINED, PhaseRule.classify(path(7, true, 0), 7, NOW, LOST));
    }

    @Test
    void notDrainedBeforeTheRecentHeartbeatsHaveBeenRead() {
        assertEquals(Phase.DRAINING, PhaseRule.phase(RO, List.of(), false, NOW, LOST));
        assertEquals(Phase.DRAINED, PhaseRule.phase(RO, List.of(), true, NOW, LOST));
    }

    @Test
    void silentPathsAreDroppedAfterTheLongerTimeout() {
        assertTrue(PhaseRule.dropped(path(7, true, 61), NOW, Duration.ofSeconds(60)));
        assertFalse(PhaseRule.dropped(path(7, true, 59), NOW, Duration.ofSeconds(60)));
    }
}
