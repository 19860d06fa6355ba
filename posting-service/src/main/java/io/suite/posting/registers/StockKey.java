package io.suite.posting.registers;

import java.util.Comparator;

/** One row of the Stock register: its dimensions. */
public record StockKey(String item, String warehouse) implements Comparable<StockKey> {
    private static final Comparator<StockKey> ORDER =
            Comparator.comparing(StockKey::item).thenComparing(StockKey::warehouse);

    @Override
    public int compareTo(StockKey other) {
        return ORDER.compare(this, other);
    }
}
