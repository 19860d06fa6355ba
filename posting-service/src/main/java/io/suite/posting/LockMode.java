package io.suite.posting;

/** Lock control mode (as in 1C), plus the two FOR UPDATE peers that only the benchmark uses. */
public enum LockMode {
    /** READ COMMITTED; EXCLUSIVE managed locks on the Stock rows touched; fencing token checked on write. */
    MANAGED,
    /** SERIALIZABLE; serialization failures retried; no lock-service. */
    AUTOMATIC,
    /** Each document type and register sets MANAGED or AUTOMATIC. */
    AUTOMATIC_AND_MANAGED,
    /** Benchmark baseline: READ COMMITTED and SELECT ... FOR UPDATE on the balance rows. */
    FOR_UPDATE,
    /**
     * Benchmark peer of MANAGED: new documents grouped as MANAGED groups them ({@code RowGroups}), one statement
     * a group, but PostgreSQL row locks (taken in the statement, in row order) instead of managed locks.
     */
    FOR_UPDATE_GROUPED
}
