package io.suite.posting;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code posting.*}: lock control mode and the limits of the posting service. */
@ConfigMapping(prefix = "posting")
public interface PostingConfig {

    /** MANAGED (default), AUTOMATIC, AUTOMATIC_AND_MANAGED, or FOR_UPDATE / FOR_UPDATE_GROUPED (benchmark peers only). */
    @WithDefault("MANAGED")
    LockMode lockMode();

    /** AUTOMATIC_AND_MANAGED only: MANAGED or AUTOMATIC per document type (RECEIPT, SHIPMENT, TRANSFER); default MANAGED. */
    Map<String, LockMode> documentTypeLockMode();

    /** AUTOMATIC_AND_MANAGED only: MANAGED or AUTOMATIC per register (Stock, Sales); default MANAGED. */
    Map<String, LockMode> registerLockMode();

    /** How long a posting waits for its managed locks before answering 423 lock-timeout. */
    @WithDefault("10s")
    Duration lockWaitTimeout();

    /** Lease of a lock transaction; the fencing token guards writes after it runs out. */
    @WithDefault("30s")
    Duration lockLease();

    /** AUTOMATIC: attempts per transaction when PostgreSQL reports a serialization failure or deadlock. */
    @WithDefault("40")
    int automaticMaxAttempts();

    /**
     * lock-service's {@code lock.escalation-threshold}: a posting run's batch asks for at most this many
     * Stock rows in one lock request (one document alone may need more, and then escalates). Kept in step
     * by one setting: application.properties reads it from {@code LOCK_ESCALATION_THRESHOLD}, the
     * environment variable lock-service's own threshold comes from, and both default to 1000.
     */
    @WithDefault("1000")
    int lockEscalationThreshold();

    /** Most lines a document may have. */
    @WithDefault("1000")
    int maxLines();

    /**
     * Sales totals splitting: most total rows per (item, warehouse, day). A writer opens a new one only
     * when every existing one is held by another writer, so the rows follow the concurrency on a total.
     */
    @WithDefault("32")
    int salesSplits();

    /**
     * MANAGED: most new documents posted as one group, when they share Stock rows and wait for the same
     * lock at once (one lock transaction, one statement; each still answered on its own). 1: each alone.
     */
    @WithDefault("32")
    int groupMaxDocuments();

    /** Outbox relay: events per round. */
    @WithDefault("200")
    int outboxBatch();

    /** Kafka topic of document events (tests use a unique one). */
    @WithDefault("document-events")
    String eventsTopic();

    /** Sent outbox rows are kept this long (for inspection and replays by hand), then deleted. */
    @WithDefault("1h")
    Duration outboxRetention();

    /** How often sent outbox rows past their retention are deleted. */
    @WithDefault("1m")
    String outboxPruneInterval();

    /** How often the outbox relay runs. */
    @WithDefault("500ms")
    String outboxInterval();

    /** How often the instance running a posting run beats its heartbeat in {@code posting_runs}. */
    @WithDefault("2s")
    String runHeartbeatEvery();

    /**
     * A run saved as RUNNING whose heartbeat is older than this is reported ABANDONED by the other
     * replicas (its instance died); a new run posts the DRAFTs it left. Several heartbeats long.
     */
    @WithDefault("15s")
    Duration runAbandonedAfter();

    /** How often the Sales split rows are folded. */
    @WithDefault("10m")
    String salesCollapseInterval();
}
