package io.suite.maintenance;

public enum Mode {
    READ_WRITE,
    READ_ONLY;

    /** The value of the {@code maintenance.mode} gauge. */
    public int gauge() {
        return this == READ_ONLY ? 1 : 0;
    }
}
