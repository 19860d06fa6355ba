package io.suite.posting.locking;

/**
 * lock-service refused a lock request for its size ({@code lock.max-items-per-request}: a 400 on
 * {@code items}, or a 413 body): nothing was locked. Not an outage: a smaller request would pass, so a
 * posting run splits its batch, and one document's rows are asked for in parts ({@link ManagedLocks}).
 */
public final class LockRequestTooLarge extends RuntimeException {
    private final int rows;

    public LockRequestTooLarge(int rows) {
        super("lock-service refused a lock request of " + rows + " rows as too large", null, false, false);
        this.rows = rows;
    }

    public int rows() {
        return rows;
    }
}
