package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The phase rule and the fence rule, as tables. */
class PhaseRuleTest {
    private static final Instant FLIP = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LOST = Duration.ofSeconds(5);
    private static final PhaseRule.Limits LIMITS = new PhaseRule.Limits(LOST, Duration.ofSeconds(1));
    /** Read-only epoch 7 since FLIP, drain timeout 20 s. */
    private static final MaintenanceState RO =
            new MaintenanceState(Mode.READ_ONLY, 7, "upgrade", FLIP, null, 20_000L, "ops", null, 1);

    private static final MaintenanceState RW =
            new MaintenanceState(Mode.READ_WRITE, 8, "done", FLIP, null, null, "ops", null, 2);

    /** A path last heard {@code silentS} seconds before {@code now}. */
    private static WritePath path(String name, long epoch, boolean drained, Instant now, long silentS) {
        return new WritePath(
                name, "posting-service", epoch, drained ? 0 : 1, drained, now.minusSeconds(silentS), 5000, 0, false);
    }

    private static Instant at(long secondsAfterFlip) {
        return FLIP.plusSeconds(secondsAfterFlip);
    }

    record PhaseCase(
            String why,
            MaintenanceState state,
            List<WritePath> paths,
            Set<String> fenced,
            boolean caughtUp,
            Instant now,
            Phase expected) {}

    @Test
    void phase() {
        Instant t = at(10);
        List<PhaseCase> cases = List.of(
                new PhaseCase(
                        "read-write is active",
                        RW,
                        List.of(path("a", 8, false, t, 0)),
                        Set.of(),
                        true,
                        t,
                        Phase.ACTIVE),
                new PhaseCase("no path at all", RO, List.of(), Set.of(), true, t, Phase.DRAINED),
                new PhaseCase("heartbeats not re-read yet", RO, List.of(), Set.of(), false, t, Phase.DRAINING),
                new PhaseCase(
                        "every path drained for the epoch",
                        RO,
                        List.of(path("a", 7, true, t, 0), path("b", 7, true, t, 1)),
                        Set.of(),
                        true,
                        t,
                        Phase.DRAINED),
                new PhaseCase(
                        "one path still draining",
                        RO,
                        List.of(path("a", 7, true, t, 0), path("b", 7, false, t, 1)),
                        Set.of(),
                        true,
                        t,
                        Phase.DRAINING),
                new PhaseCase(
                        "drained for an older epoch does not count",
                        RO,
                        List.of(path("a", 6, true, t, 0)),
                        Set.of(),
                        true,
                        t,
                        Phase.DRAINING),
                new PhaseCase(
                        "a silent path is not drained (it was, before issue 16)",
                        RO,
                        List.of(path("a", 7, true, t, 0), path("b", 6, false, t, 6)),
                        Set.of(),
                        true,
                        t,
                        Phase.DRAINING),
                new PhaseCase(
                        "a silent path long gone still holds DRAINED back",
                        RO,
                        List.of(path("b", 6, false, at(3600), 3000)),
                        Set.of(),
                        true,
                        at(3600),
                        Phase.DRAINING),
                new PhaseCase(
                        "a fenced silent path counts",
                        RO,
                        List.of(path("a", 7, true, t, 0), path("b", 6, false, t, 6)),
                        Set.of("b"),
                        true,
                        t,
                        Phase.DRAINED),
                new PhaseCase(
                        "a fenced live path that never drains counts",
                        RO,
                        List.of(path("b", 7, false, t, 0)),
                        Set.of("b"),
                        true,
                        t,
                        Phase.DRAINED),
                new PhaseCase(
                        "a fence of another path does not count",
                        RO,
                        List.of(path("b", 7, false, t, 0)),
                        Set.of("c"),
                        true,
                        t,
                        Phase.DRAINING));
        for (PhaseCase c : cases) {
            assertEquals(
                    c.expected(),
                    PhaseRule.phase(c.state(), c.paths(), c.fenced(), c.caughtUp(), c.now(), LOST),
                    c.why());
        }
    }

    record FenceCase(
            String why, MaintenanceState state, WritePath path, Set<String> fenced, Instant now, boolean expected) {}

    /** The services whose database roles can be fenced in these tables. */
    private static final Set<String> FENCEABLE = Set.of("posting-service");

    @Test
    void whichPathsMustBeFenced() {
        WritePath silentSinceFlip = new WritePath("s", "posting-service", 6, 1, false, FLIP, 5000, 0, false);
        WritePath shortLease = new WritePath("s", "posting-service", 6, 1, false, FLIP, 1000, 0, false);
        // a paused posting replica: every write in its database, a 10-minute lease, heard last at the flip
        WritePath pausedInDatabase = new WritePath("p", "posting-service", 6, 1, false, FLIP, 600_000, 0, true);
        WritePath pausedUnfenceable = new WritePath("p", "other-service", 6, 1, false, FLIP, 600_000, 0, true);
        List<FenceCase> cases = List.of(
                new FenceCase("never in read-write", RW, path("a", 8, false, at(30), 30), Set.of(), at(30), false),
                new FenceCase(
                        "silent, but its lease (5 s + 1 s margin) may not have ended",
                        RO,
                        silentSinceFlip,
                        Set.of(),
                        at(5),
                        false),
                new FenceCase("silent and its lease surely ended", RO, silentSinceFlip, Set.of(), at(6), true),
                new FenceCase("silent with a 1 s lease: once lost", RO, shortLease, Set.of(), at(5), false),
                new FenceCase("silent with a 1 s lease, lost", RO, shortLease, Set.of(), at(6), true),
                new FenceCase(
                        "live and draining within the drain timeout",
                        RO,
                        path("a", 7, false, at(19), 0),
                        Set.of(),
                        at(19),
                        false),
                new FenceCase(
                        "live and not drained at the drain timeout",
                        RO,
                        path("a", 7, false, at(20), 0),
                        Set.of(),
                        at(20),
                        true),
                new FenceCase(
                        "never learnt the epoch, at the drain timeout",
                        RO,
                        path("a", 6, false, at(20), 0),
                        Set.of(),
                        at(20),
                        true),
                new FenceCase(
                        "drained for the epoch, even if silent",
                        RO,
                        path("a", 7, true, at(60), 30),
                        Set.of(),
                        at(60),
                        false),
                new FenceCase("already fenced", RO, path("a", 7, false, at(60), 30), Set.of("a"), at(60), false),
                new FenceCase(
                        "writes only in its database: fenced at the drain timeout, its lease does not matter",
                        RO,
                        pausedInDatabase,
                        Set.of(),
                        at(20),
                        true),
                new FenceCase(
                        "writes only in its database: still not before the drain timeout while not lost",
                        RO,
                        pausedInDatabase,
                        Set.of(),
                        at(4),
                        false),
                new FenceCase(
                        "writes only in its database but no role to fence: waits out its lease",
                        RO,
                        pausedUnfenceable,
                        Set.of(),
                        at(20),
                        false));
        for (FenceCase c : cases) {
            assertEquals(
                    c.expected(),
                    PhaseRule.mustFence(c.path(), c.state(), c.fenced(), c.now(), LIMITS, FENCEABLE),
                    c.why());
        }
    }

    @Test
    void classifyAndDrop() {
        Instant t = at(10);
        assertEquals(PhaseRule.PathState.LOST, PhaseRule.classify(path("a", 6, false, t, 6), 7, Set.of(), t, LOST));
        assertEquals(PhaseRule.PathState.LIVE, PhaseRule.classify(path("a", 6, false, t, 5), 7, Set.of(), t, LOST));
        assertEquals(PhaseRule.PathState.DRAINED, PhaseRule.classify(path("a", 7, true, t, 0), 7, Set.of(), t, LOST));
        assertEquals(
                PhaseRule.PathState.FENCED, PhaseRule.classify(path("a", 6, false, t, 6), 7, Set.of("a"), t, LOST));
        assertTrue(PhaseRule.dropped(path("a", 7, true, t, 61), t, Duration.ofSeconds(60)));
        assertFalse(PhaseRule.dropped(path("a", 7, true, t, 59), t, Duration.ofSeconds(60)));
    }
}
