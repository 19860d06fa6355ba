package io.suite.posting.locking;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** lock-service's {@code escalated}, in the shape DESIGN.md gives and in the older list of space names. */
class EscalationTest {

    @Test
    void bothShapesOfTheLockAnswerAreRead() {
        assertEquals(
                List.of(new Escalation("AccumulationRegister.Stock", Map.of("warehouse", "W1"))),
                Escalation.parse(
                        List.of(Map.of("space", "AccumulationRegister.Stock", "fields", Map.of("warehouse", "W1")))));
        // the whole space: an older lock-service names only the space, a newer one gives no fields
        assertEquals(
                List.of(new Escalation("AccumulationRegister.Stock", Map.of())),
                Escalation.parse(List.of("AccumulationRegister.Stock")));
        assertEquals(List.of(new Escalation("S", Map.of())), Escalation.parse(List.of(Map.of("space", "S"))));
        assertEquals(List.of(), Escalation.parse(null));
        assertEquals(List.of(), Escalation.parse(List.of()));
        assertEquals(List.of(), Escalation.parse(List.of(42, Map.of("fields", Map.of()))));
    }
}
