package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.quarkiverse.resteasy.problem.HttpProblem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransitionsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final MaintenanceState RW =
            new MaintenanceState(Mode.READ_WRITE, 4, "done", T0, null, null, "ops", null, 9);

    private static MaintenanceState readOnly(String heldBy) {
        return Transitions.readOnly(RW, "upgrade", Duration.ofMinutes(10), Duration.ofSeconds(30), heldBy, "ops", T0)
                .next();
    }

    @Test
    void readOnlyIsANewEpochThatExpiresAfterItsDuration() {
        Transition t =
                Transitions.readOnly(RW, "upgrade", Duration.ofMinutes(10), Duration.ofSeconds(30), null, "ops", T0);
        assertEquals(
                new MaintenanceState(Mode.READ_ONLY, 5, "upgrade", T0, T0.plusSeconds(600), 30000L, "ops", null, 10),
                t.next());
        assertEquals("read-only", t.action());
    }

    @Test
    void readOnlyAgainRenewsTheSameEpochAndMayTakeAHold() {
        MaintenanceState ro = readOnly(null);
        Transition t = Transitions.readOnly(
                ro, "backup", Duration.ofMinutes(2), Duration.ofSeconds(1), "backup:7", "b", T0.plusSeconds(60));
        assertEquals(5, t.next().epoch());
        assertEquals("renew", t.action());
        assertEquals(T0.plusSeconds(180), t.next().expiresAt());
        assertEquals("backup:7", t.next().heldBy());
        assertEquals("upgrade", t.next().reason(), "the epoch keeps its reason");
    }

    @Test
    void renewRefusesWhenNotReadOnlyOrAnotherEpoch() {
        assertEquals(
                409,
                assertThrows(HttpProblem.class, () -> Transitions.renew(RW, null, Duration.ofMinutes(1), null, "b", T0))
                        .getStatusCode());
        assertEquals(
                409,
                assertThrows(
                                HttpProblem.class,
                                () -> Transitions.renew(readOnly(null), 4L, Duration.ofMinutes(1), null, "b", T0))
                        .getStatusCode());
        assertEquals(
                T0.plusSeconds(60),
                Transitions.renew(readOnly(null), 5L, Duration.ofMinutes(1), null, "b", T0)
                        .next()
                        .expiresAt());
    }

    @Test
    void readWriteIsRefusedWhileABackupHoldsUnlessForcedOrByTheHolder() {
        MaintenanceState held = readOnly("backup:7");
        HttpProblem refused =
                assertThrows(HttpProblem.class, () -> Transitions.readWrite(held, "done", null, false, "ops", T0));
        assertEquals(409, refused.getStatusCode());
        assertEquals(Transitions.BACKUP_IN_PROGRESS, refused.getType());
        assertEquals("backup:7", refused.getParameters().get("heldBy"));

        Transition forced =
                Transitions.readWrite(held, "done", null, true, "ops", T0).orElseThrow();
        assertTrue(forced.forced());
        assertEquals(new MaintenanceState(Mode.READ_WRITE, 6, "done", T0, null, null, "ops", null, 11), forced.next());

        Transition byHolder = Transitions.readWrite(held, "backup done", "backup:7", false, "b", T0)
                .orElseThrow();
        assertEquals(false, byHolder.forced());
        assertEquals(6, byHolder.next().epoch());
    }

    @Test
    void readWriteWhenAlreadyReadWriteChangesNothing() {
        assertTrue(Transitions.readWrite(RW, "done", null, false, "ops", T0).isEmpty());
    }

    @Test
    void releaseDropsOnlyTheHoldersOwnHold() {
        MaintenanceState held = readOnly("backup:7");
        assertTrue(Transitions.release(held, "backup:8", "b", T0).isEmpty());
        MaintenanceState released =
                Transitions.release(held, "backup:7", "b", T0).orElseThrow().next();
        assertEquals(Mode.READ_ONLY, released.mode());
        assertEquals(5, released.epoch());
        assertEquals(null, released.heldBy());
    }

    @Test
    void readOnlyExpiresIntoANewReadWriteEpoch() {
        MaintenanceState ro = readOnly("backup:7");
        assertTrue(Transitions.expire(ro, T0.plusSeconds(599)).isEmpty());
        Transition t = Transitions.expire(ro, T0.plusSeconds(600)).orElseThrow();
        assertEquals(Mode.READ_WRITE, t.next().mode());
        assertEquals(6, t.next().epoch());
        assertEquals("expired", t.next().reason());
        assertTrue(Transitions.expire(RW, T0.plusSeconds(9999)).isEmpty());
    }
}
