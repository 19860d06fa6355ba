package io.suite.bench;

/** A benchmark's arguments: each {@code key=value} sets system property {@code bench.key}. */
public final class BenchArgs {
    private BenchArgs() {}

    public static void apply(String[] args) {
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                System.setProperty("bench." + a.substring(0, eq), a.substring(eq + 1));
            }
        }
    }
}
