package io.suite.problems;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Dates a request may carry: ISO {@code yyyy-MM-dd} with a year from 1 to 9999. Within these,
 * PostgreSQL's {@code date}, Java and every JSON client read the value back exactly as sent; outside
 * them, PostgreSQL fails (year +5880000) or the client's binary encoding wraps around (+11761248).
 */
public final class Dates {
    public static final LocalDate MIN = LocalDate.of(1, 1, 1);
    public static final LocalDate MAX = LocalDate.of(9999, 12, 31);

    private Dates() {}

    /** What is wrong with {@code value} as a date, or null when {@link #parse} takes it (null too). */
    public static String check(String value) {
        if (value == null) {
            return null;
        }
        LocalDate d;
        try {
            d = LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            return "must be an ISO date (yyyy-MM-dd)";
        }
        return d.isBefore(MIN) || d.isAfter(MAX) ? "must be from " + MIN + " to " + MAX : null;
    }

    /** The date, or null for null; call {@link #check} first. */
    public static LocalDate parse(String value) {
        if (check(value) != null) {
            throw new IllegalArgumentException(value + ": " + check(value));
        }
        return value == null ? null : LocalDate.parse(value);
    }

    /** A date query parameter or field: the date, or a 400 naming {@code field}. */
    public static LocalDate require(String field, String value) {
        String wrong = check(value);
        if (wrong != null) {
            throw Violations.of("Invalid date", field, wrong);
        }
        return value == null ? null : LocalDate.parse(value);
    }
}
