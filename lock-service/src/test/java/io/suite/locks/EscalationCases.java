package io.suite.locks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The escalation cover (locks.lua {@code cover}, DESIGN "Escalation") as a table: what one transaction's
 * items in a space become once they pass the threshold. Run through Redis by {@link EscalationTest}
 * with the test settings lock.escalation-threshold=20 and lock.escalation-max-values=8. Items are in the
 * API's form without the space; {@code held} are locked first (without escalating), then {@code request}.
 */
final class EscalationCases {
    record Case(String name, List<String> held, List<String> request, String cover, String mode) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** n items of mode m, the i-th with the fields {@code fields.apply(i)}. */
    private static List<String> items(int n, String m, IntFunction<String> fields) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("{\"mode\":\"" + m + "\",\"fields\":" + fields.apply(i) + "}");
        }
        return out;
    }

    private static List<String> x(int n, IntFunction<String> fields) {
        return items(n, "EXCLUSIVE", fields);
    }

    private static List<String> plus(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static final List<Case> ALL = List.of(
            new Case(
                    "rows of one warehouse: that warehouse",
                    List.of(),
                    x(21, i -> "{\"warehouse\":\"W1\",\"item\":\"I" + i + "\"}"),
                    "{\"warehouse\":\"W1\"}",
                    "EXCLUSIVE"),
            new Case(
                    "two warehouses: the set of both",
                    List.of(),
                    x(21, i -> "{\"warehouse\":\"W" + (1 + i % 2) + "\",\"item\":\"I" + i + "\"}"),
                    "{\"warehouse\":{\"in\":[\"W1\",\"W2\"]}}",
                    "EXCLUSIVE"),
            new Case(
                    "every field with few values is kept",
                    List.of(),
                    x(21, i -> "{\"warehouse\":\"W1\",\"item\":\"" + (i % 2 == 0 ? "A" : "B") + "\",\"n\":" + i + "}"),
                    "{\"item\":{\"in\":[\"A\",\"B\"]},\"warehouse\":\"W1\"}",
                    "EXCLUSIVE"),
            new Case(
                    "more values than the bound: the whole space",
                    List.of(),
                    x(21, i -> "{\"warehouse\":\"W" + i + "\"}"),
                    "{}",
                    "EXCLUSIVE"),
            new Case(
                    "a field missing from one item is dropped",
                    List.of(),
                    plus(
                            x(20, i -> "{\"warehouse\":\"W1\",\"item\":\"A\",\"row\":" + i + "}"),
                            x(1, i -> "{\"warehouse\":\"W1\"}")),
                    "{\"warehouse\":\"W1\"}",
                    "EXCLUSIVE"),
            new Case(
                    "a field with a range is dropped",
                    List.of(),
                    x(
                            21,
                            i -> "{\"warehouse\":\"W1\",\"day\":{\"from\":\"2026-01-" + (10 + i)
                                    + "\",\"to\":\"2026-02-01\"}}"),
                    "{\"warehouse\":\"W1\"}",
                    "EXCLUSIVE"),
            new Case(
                    "sets count every value",
                    List.of(),
                    plus(
                            x(20, i -> "{\"warehouse\":{\"in\":[\"W1\",\"W2\"]},\"row\":" + i + "}"),
                            x(1, i -> "{\"warehouse\":\"W3\"}")),
                    "{\"warehouse\":{\"in\":[\"W1\",\"W2\",\"W3\"]}}",
                    "EXCLUSIVE"),
            new Case(
                    "numbers stay numbers",
                    List.of(),
                    x(21, i -> "{\"shelf\":" + (i % 3) + ",\"bin\":\"B" + i + "\"}"),
                    "{\"shelf\":{\"in\":[0,1,2]}}",
                    "EXCLUSIVE"),
            new Case(
                    "no field in every item: the whole space",
                    List.of(),
                    plus(
                            x(11, i -> "{\"a\":\"A" + (i % 2) + "\",\"row\":" + i + "}"),
                            x(10, i -> "{\"b\":\"B" + (i % 2) + "\",\"line\":" + i + "}")),
                    "{}",
                    "EXCLUSIVE"),
            new Case(
                    "the strongest mode",
                    List.of(),
                    plus(
                            items(20, "SHARED", i -> "{\"warehouse\":\"W1\",\"item\":\"I" + i + "\"}"),
                            x(1, i -> "{\"warehouse\":\"W1\",\"item\":\"J\"}")),
                    "{\"warehouse\":\"W1\"}",
                    "EXCLUSIVE"),
            new Case(
                    "shared stays shared",
                    List.of(),
                    items(21, "SHARED", i -> "{\"warehouse\":\"W1\",\"item\":\"I" + i + "\"}"),
                    "{\"warehouse\":\"W1\"}",
                    "SHARED"),
            new Case(
                    "held items count and are covered",
                    x(15, i -> "{\"warehouse\":\"W1\",\"item\":\"I" + i + "\"}"),
                    x(6, i -> "{\"warehouse\":\"W2\",\"item\":\"I" + i + "\"}"),
                    "{\"warehouse\":{\"in\":[\"W1\",\"W2\"]}}",
                    "EXCLUSIVE"),
            new Case(
                    "a held whole space stays the whole space",
                    x(1, i -> "{}"),
                    x(20, i -> "{\"warehouse\":\"W1\",\"item\":\"I" + i + "\"}"),
                    "{}",
                    "EXCLUSIVE"));

    private EscalationCases() {}
}
