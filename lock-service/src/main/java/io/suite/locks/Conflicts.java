package io.suite.locks;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * THE lock conflict rule (DESIGN.md "Lock service API"). Two items conflict when they are in the
 * same space, held by different transactions, at least one is EXCLUSIVE, and for every field the
 * two conditions have a value in common (a field an item does not name means every value).
 *
 * <p>Redis enforces the same rule atomically in {@code locks.lua} (function {@code conflicts}); the
 * two are kept equal by one table of cases that {@code ConflictRuleTest} runs through this class and
 * {@code LockApiTest#redisAgreesWithTheConflictTable} through the service and Redis. Strings compare by code point (= UTF-8 byte
 * order, as in Lua), numbers as numbers, and a number never equals or falls in a range of strings.
 */
public final class Conflicts {
    private Conflicts() {}

    /** Whether items held by two different transactions conflict. */
    public static boolean conflict(LockItem a, LockItem b) {
        if (!a.space().equals(b.space())) {
            return false;
        }
        if (a.mode() != Mode.EXCLUSIVE && b.mode() != Mode.EXCLUSIVE) {
            return false;
        }
        for (Map.Entry<String, Condition> e : a.fields().entrySet()) {
            Condition other = b.fields().get(e.getKey());
            if (other != null && !overlap(e.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    /** Whether two conditions on one field have a value in common. */
    static boolean overlap(Condition a, Condition b) {
        if (a instanceof Condition.Range ra && b instanceof Condition.Range rb) {
            if (rangeType(ra) != rangeType(rb)) {
                return false;
            }
            return !(ra.from() != null && rb.to() != null && compare(ra.from(), rb.to()) > 0)
                    && !(rb.from() != null && ra.to() != null && compare(rb.from(), ra.to()) > 0);
        }
        if (a instanceof Condition.Range) {
            return overlap(b, a);
        }
        List<Comparable<?>> values = values(a);
        if (b instanceof Condition.Range range) {
            return values.stream().anyMatch(v -> inRange(v, range));
        }
        List<Comparable<?>> others = values(b);
        return values.stream().anyMatch(v -> others.stream().anyMatch(o -> sameValue(v, o)));
    }

    private static List<Comparable<?>> values(Condition c) {
        return c instanceof Condition.Equals eq ? List.of(eq.value()) : ((Condition.AnyOf) c).values();
    }

    private static Class<?> rangeType(Condition.Range r) {
        return (r.from() != null ? r.from() : r.to()).getClass();
    }

    private static boolean inRange(Comparable<?> v, Condition.Range r) {
        if (v.getClass() != rangeType(r)) {
            return false;
        }
        return (r.from() == null || compare(v, r.from()) >= 0) && (r.to() == null || compare(v, r.to()) <= 0);
    }

    private static boolean sameValue(Comparable<?> a, Comparable<?> b) {
        return a.getClass() == b.getClass() && compare(a, b) == 0;
    }

    /** Orders two values of the same type: numbers numerically, strings by code point. */
    static int compare(Comparable<?> a, Comparable<?> b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y);
        }
        String s = (String) a;
        String t = (String) b;
        int i = 0;
        int j = 0;
        while (i < s.length() && j < t.length()) {
            int cs = s.codePointAt(i);
            int ct = t.codePointAt(j);
            if (cs != ct) {
                return Integer.compare(cs, ct);
            }
            i += Character.charCount(cs);
            j += Character.charCount(ct);
        }
        return Integer.compare(s.length() - i, t.length() - j);
    }
}
