package io.suite.locks;

/**
 * The script refused EXCLUSIVE items (its read-only rule); the guard words the answer. {@code stale}:
 * Redis' clock was past the write window this replica sent (its READ_WRITE lease had run out).
 */
final class ReadOnlyRefusal extends RuntimeException {
    final boolean stale;
    /** The read-only epoch Redis knows of (seen by some replica), or null. */
    final Long epoch;

    ReadOnlyRefusal(boolean stale, Long epoch) {
        super(stale ? "state-stale" : "read-only", null, false, false);
        this.stale = stale;
        this.epoch = epoch;
    }
}
