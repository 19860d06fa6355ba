package io.suite.locks;

import java.util.List;

/**
 * One table of conflict corner cases, run through the Java rule ({@link ConflictRuleTest}) and
 * through Redis ({@code LockApiTest#redisAgreesWithTheConflictTable}), so the two stay equal.
 * Items are in the API's form; both are in space "S" and held by different transactions.
 */
final class ConflictCases {
    record Case(String name, String a, String b, boolean conflict) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static String x(String fields) {
        return "{\"space\":\"S\",\"mode\":\"EXCLUSIVE\",\"fields\":" + fields + "}";
    }

    private static String s(String fields) {
        return "{\"space\":\"S\",\"mode\":\"SHARED\",\"fields\":" + fields + "}";
    }

    static final List<Case> ALL = List.of(
            new Case("equal values, exclusive", x("{\"w\":\"W1\"}"), x("{\"w\":\"W1\"}"), true),
            new Case("different values", x("{\"w\":\"W1\"}"), x("{\"w\":\"W2\"}"), false),
            new Case("shared and shared never", s("{\"w\":\"W1\"}"), s("{\"w\":\"W1\"}"), false),
            new Case("shared and exclusive", s("{\"w\":\"W1\"}"), x("{\"w\":\"W1\"}"), true),
            new Case("unnamed field is every value", x("{\"w\":\"W1\"}"), x("{\"w\":\"W1\",\"i\":\"A\"}"), true),
            new Case("no common field", x("{\"w\":\"W1\"}"), x("{\"i\":\"A\"}"), true),
            new Case(
                    "one common field differs",
                    x("{\"w\":\"W1\",\"i\":\"A\"}"),
                    x("{\"w\":\"W2\",\"i\":\"A\"}"),
                    false),
            new Case("scalar in set", x("{\"i\":\"B\"}"), x("{\"i\":{\"in\":[\"A\",\"B\"]}}"), true),
            new Case("scalar not in set", x("{\"i\":\"C\"}"), x("{\"i\":{\"in\":[\"A\",\"B\"]}}"), false),
            new Case("sets intersect", x("{\"i\":{\"in\":[\"A\",\"B\"]}}"), x("{\"i\":{\"in\":[\"B\",\"C\"]}}"), true),
            new Case("sets disjoint", x("{\"i\":{\"in\":[\"A\",\"B\"]}}"), x("{\"i\":{\"in\":[\"C\",\"D\"]}}"), false),
            new Case("number in range, inclusive end", x("{\"n\":10}"), x("{\"n\":{\"from\":1,\"to\":10}}"), true),
            new Case("number outside range", x("{\"n\":11}"), x("{\"n\":{\"from\":1,\"to\":10}}"), false),
            new Case("1 equals 1.0", x("{\"n\":1}"), x("{\"n\":1.0}"), true),
            new Case("number is not a string", x("{\"n\":5}"), x("{\"n\":\"5\"}"), false),
            new Case("string not in numeric range", x("{\"n\":\"5\"}"), x("{\"n\":{\"from\":1,\"to\":10}}"), false),
            new Case(
                    "numeric and string ranges never meet",
                    x("{\"n\":{\"from\":1,\"to\":10}}"),
                    x("{\"n\":{\"from\":\"1\",\"to\":\"10\"}}"),
                    false),
            new Case(
                    "strings compare as strings",
                    x("{\"n\":\"10\"}"),
                    x("{\"n\":{\"from\":\"1\",\"to\":\"3\"}}"),
                    true),
            new Case("numbers compare as numbers", x("{\"n\":10}"), x("{\"n\":{\"from\":1,\"to\":3}}"), false),
            new Case(
                    "ISO dates touching ranges",
                    x("{\"d\":{\"from\":\"2026-01-01\",\"to\":\"2026-01-31\"}}"),
                    x("{\"d\":{\"from\":\"2026-01-31\",\"to\":\"2026-02-28\"}}"),
                    true),
            new Case(
                    "ISO dates apart",
                    x("{\"d\":{\"from\":\"2026-01-01\",\"to\":\"2026-01-31\"}}"),
                    x("{\"d\":{\"from\":\"2026-02-01\",\"to\":\"2026-02-28\"}}"),
                    false),
            new Case(
                    "open ends apart",
                    x("{\"d\":{\"from\":\"2026-02-01\"}}"),
                    x("{\"d\":{\"to\":\"2026-01-31\"}}"),
                    false),
            new Case(
                    "open ends overlap",
                    x("{\"d\":{\"from\":\"2026-01-15\"}}"),
                    x("{\"d\":{\"to\":\"2026-01-20\"}}"),
                    true),
            new Case("date in open range", x("{\"d\":\"2027-05-05\"}"), x("{\"d\":{\"from\":\"2026-01-01\"}}"), true),
            new Case("set against range", x("{\"n\":{\"in\":[1,20]}}"), x("{\"n\":{\"from\":5,\"to\":10}}"), false),
            new Case("set member in range", x("{\"n\":{\"in\":[1,7]}}"), x("{\"n\":{\"from\":5,\"to\":10}}"), true),
            new Case("whole space against an item", x("{}"), s("{\"w\":\"W1\"}"), true),
            new Case("whole space shared against shared", s("{}"), s("{\"w\":\"W1\"}"), false),
            new Case("whole space against whole space", x("{}"), x("{}"), true),
            new Case(
                    "other space",
                    x("{\"w\":\"W1\"}"),
                    "{\"space\":\"T\",\"mode\":\"EXCLUSIVE\",\"fields\":{\"w\":\"W1\"}}",
                    false));

    private ConflictCases() {}
}
