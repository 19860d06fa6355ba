package io.suite.posting;

/** Lock control mode (as in 1C), plus the FOR_UPDATE baseline that only the benchmark uses. */
public enum LockMode {
    /** READ COMMITTED; EXCLUSIVE managed locks on the Stock rows touched; fencing token checked on write. */
    MANAGED,
    /** SERIALIZABLE; serialization failures retried; no lock-service. */
    AUTOMATIC,
    /** Each document type and register sets MANAGED or AUTOMATIC. */
    AUTOMATIC_AND_MANAGED,
    /** Benchmark baseline: READ COMMITTED and SELECT ... FOR UPDATE on the balance rows. */
    FOR_UPDATE
}
