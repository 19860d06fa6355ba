package io.suite.locks;

import java.util.List;

/**
 * A normalised condition on one field. Values are {@link String} or {@link java.math.BigDecimal};
 * numbers and strings never meet (a number equals no string, a numeric range holds no string).
 */
public sealed interface Condition {

    /** One value. */
    record Equals(Comparable<?> value) implements Condition {}

    /** Any of at least two values, sorted, without duplicates. */
    record AnyOf(List<Comparable<?>> values) implements Condition {}

    /** An inclusive range; a null end is open. Both ends have the same type. */
    record Range(Comparable<?> from, Comparable<?> to) implements Condition {}
}
