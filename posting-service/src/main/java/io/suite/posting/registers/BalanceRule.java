package io.suite.posting.registers;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.suite.posting.model.Shortage;

/**
 * Balance control of the Stock register, the only place it is decided: a balance never goes
 * below zero. Only decreasing changes are controlled; an increase can never make a row negative.
 */
public final class BalanceRule {
    private BalanceRule() {}

    /**
     * The shortages {@code changes} would cause on {@code balances} (a missing row is zero), in the
     * order of {@code changes}; empty when the change may be applied.
     */
    public static List<Shortage> shortages(Map<StockKey, BigDecimal> balances, Map<StockKey, BigDecimal> changes) {
        List<Shortage> shortages = new ArrayList<>();
        changes.forEach((key, change) -> {
            if (change.signum() >= 0) {
                return;
            }
            BigDecimal available = balances.getOrDefault(key, BigDecimal.ZERO);
            if (available.add(change).signum() < 0) {
                shortages.add(new Shortage(key.item(), key.warehouse(), change.negate(), available));
            }
        });
        return shortages;
    }

    /**
     * The rule as a SQL condition over the SQL expressions {@code balance} and {@code change}, for a
     * statement that writes only the rows the change keeps non-negative (and leaves the rest to
     * {@link #shortages} to report).
     */
    public static String keepsNonNegative(String balance, String change) {
        return balance + " + " + change + " >= 0";
    }
}
