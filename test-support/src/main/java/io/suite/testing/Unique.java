package io.suite.testing;

import java.util.UUID;

/** Names that no earlier test run used: the servers keep their data between runs. */
public final class Unique {
    private Unique() {}

    /** {@code prefix-} followed by 8 random hex digits, e.g. {@code item-3f9a0c12}. */
    public static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
