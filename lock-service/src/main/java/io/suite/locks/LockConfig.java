package io.suite.locks;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code lock.*}: the service's limits and timings. */
@ConfigMapping(prefix = "lock")
public interface LockConfig {
    /** Prefix of every Redis key and channel: replicas sharing it share the locks. */
    @WithDefault("lock:")
    String keyPrefix();

    /** Wait used when a request names no {@code timeoutMs}. */
    @WithDefault("20s")
    Duration waitTimeout();

    /** Largest {@code timeoutMs} accepted. */
    @WithDefault("10m")
    Duration maxWaitTimeout();

    /** Lease when {@code leaseMs} is not given. */
    @WithDefault("30s")
    Duration defaultLease();

    /** More items than this of one transaction in one space are escalated: replaced by one item covering them. */
    @WithDefault("1000")
    int escalationThreshold();

    /** Escalation keeps a field when its distinct values over the items are at most this many. */
    @WithDefault("64")
    int escalationMaxValues();

    /** {@code narrow}: the narrowest cover (DESIGN "Escalation"); {@code space}: always the whole space (the old way). */
    @WithDefault("narrow")
    EscalationCover escalationCover();

    enum EscalationCover {
        NARROW,
        SPACE
    }

    /** A lock wait longer than this is a WAIT incident (recorded when it ends). */
    @WithDefault("1s")
    Duration logWaitsOver();

    /** How long incidents are kept in the Redis stream (and so answered by GET /v1/lock-incidents). */
    @WithDefault("7d")
    Duration incidentsRetention();

    /** Kafka topic every incident is published on (key: its space). */
    @WithDefault("lock-incidents")
    String incidentsTopic();

    /** Kafka of the incidents topic. */
    @WithDefault("${kafka.bootstrap.servers}")
    String incidentsBootstrapServers();

    /** How often the relay moves incidents from the stream to Kafka. */
    @WithDefault("1s")
    Duration incidentsRelayEvery();

    /** An incident taken by a replica but not acknowledged by Kafka for this long is taken over by another. */
    @WithDefault("30s")
    Duration incidentsRelayClaimAfter();

    /** Items (each row counts) in one lock request. */
    @WithDefault("10000")
    int maxItemsPerRequest();

    /** Values in one {@code {"in":[...]}} set. */
    @WithDefault("1000")
    int maxInValues();

    @WithDefault("200")
    int maxOwnerLength();

    @WithDefault("500")
    int maxLabelLength();

    /** Length of space names, field names and string values. */
    @WithDefault("200")
    int maxNameLength();

    /**
     * While read-only with lock transactions holding EXCLUSIVE items (writes in flight), how often every replica
     * counts them again: DRAINED waits for each replica's count to reach 0, so the once-a-second gauges tick made
     * it come up to a second after the last such transaction ended.
     */
    @WithDefault("100ms")
    Duration drainRecountInterval();

    /** Safety net behind pub/sub: how often a waiting request is re-checked in Redis. */
    @WithDefault("250ms")
    Duration recheckInterval();

    /** Most entries GET /v1/locks returns. */
    @WithDefault("5000")
    int snapshotMaxEntries();

    /** SSE: a snapshot at least this often even when nothing changed. */
    @WithDefault("5s")
    Duration streamRefresh();

    /**
     * Longest wait for one Redis call: then the lock call answers 503 lock-service-unavailable, and
     * the script ignores the call if it reaches Redis later (Redis paused, a stalled connection).
     */
    @WithDefault("2s")
    Duration redisTimeout();

    /**
     * Lease of a transaction begun with items while its caller waits, renewed by the re-checks of
     * the replica holding the caller (every {@code recheck-interval}); the lease asked for starts when
     * the answer goes out. A replica killed while callers wait leaves nothing held longer than this.
     * Also how long a waiting request outlives the last re-check of its replica.
     */
    @WithDefault("5s")
    Duration waiterLease();

    /** Most distinct {@code space} tag values on metrics; later spaces are tagged "other". */
    @WithDefault("200")
    int metricsMaxSpaces();
}
