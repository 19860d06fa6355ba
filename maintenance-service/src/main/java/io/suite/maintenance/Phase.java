package io.suite.maintenance;

public enum Phase {
    ACTIVE,
    DRAINING,
    DRAINED;

    /** The value of the {@code maintenance.phase} gauge. */
    public int gauge() {
        return ordinal();
    }
}
