package io.suite.posting.registers;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.suite.posting.model.Shortage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalanceRuleTest {
    private static final StockKey A = new StockKey("A", "W1");
    private static final StockKey B = new StockKey("B", "W1");

    @Test
    void aDecreaseThatKeepsTheBalanceAtZeroOrMoreIsAllowed() {
        assertTrue(BalanceRule.shortages(Map.of(A, new BigDecimal("3")), Map.of(A, new BigDecimal("-3")))
                .isEmpty());
    }

    @Test
    void aDecreaseBelowZeroIsAShortageWithRequestedAndAvailable() {
        List<Shortage> s = BalanceRule.shortages(Map.of(A, new BigDecimal("2.5")), Map.of(A, new BigDecimal("-3")));
        assertEquals(List.of(new Shortage("A", "W1", new BigDecimal("3"), new BigDecimal("2.5"))), s);
    }

    @Test
    void aMissingRowHasNothingAvailable() {
        List<Shortage> s = BalanceRule.shortages(Map.of(), Map.of(B, new BigDecimal("-1")));
        assertEquals(List.of(new Shortage("B", "W1", BigDecimal.ONE, BigDecimal.ZERO)), s);
    }

    @Test
    void increasesAreNeverControlledEvenOnANegativeRow() {
        assertTrue(BalanceRule.shortages(Map.of(A, new BigDecimal("-5")), Map.of(A, BigDecimal.ONE))
                .isEmpty());
    }

    @Test
    void everyShortRowIsListedInTheOrderOfTheChanges() {
        Map<StockKey, BigDecimal> changes = new LinkedHashMap<>();
        changes.put(B, new BigDecimal("-2"));
        changes.put(A, new BigDecimal("-1"));
        List<Shortage> s = BalanceRule.shortages(Map.of(A, BigDecimal.ZERO, B, BigDecimal.ONE), changes);
        assertEquals(List.of("B", "A"), s.stream().map(Shortage::item).toList());
    }
}
