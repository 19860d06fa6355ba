package io.suite.posting;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.suite.posting.model.DocumentType;

/** The suite's agreed posting metrics, all registered at start so they are scraped at zero. */
@Startup
@ApplicationScoped
public class PostingMetrics {
    public static final String[] OUTCOMES = {"posted", "unposted", "rejected", "failed"};

    private final Map<String, Counter> documents = new HashMap<>();
    private final Map<DocumentType, Timer> latency = new EnumMap<>(DocumentType.class);
    private final Counter balanceRejections;
    private final Timer lockWait;
    private final Timer heldWriting;
    private final Timer heldReleasing;
    private final Counter retries;
    private final Counter outboxSendFailures;
    private final Counter batchSplits;
    private final DistributionSummary groups;
    private final Timer groupWait;

    private final MeterRegistry registry;

    public PostingMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (DocumentType type : DocumentType.values()) {
            for (String outcome : OUTCOMES) {
                documents.put(
                        type + "/" + outcome,
                        Counter.builder("posting.documents")
                                .tag("type", type.name())
                                .tag("outcome", outcome)
                                .description("Documents by type and outcome")
                                .register(registry));
            }
            latency.put(
                    type,
                    Timer.builder("posting.latency")
                            .tag("type", type.name())
                            .description("Posting latency")
                            .publishPercentileHistogram()
                            .register(registry));
        }
        balanceRejections = Counter.builder("posting.balance.rejections")
                .description("Postings refused by balance control")
                .register(registry);
        lockWait = Timer.builder("posting.lock.wait")
                .description("Time to get managed locks from lock-service")
                .publishPercentileHistogram()
                .register(registry);
        // the hot rows' hand-off as posting sees it: lock-service's locks_hold_seconds minus these two
        // is the time the grant and the release spend between Redis and this service
        heldWriting = Timer.builder("posting.lock.held")
                .tag("phase", "writing")
                .description("From the grant's answer to COMMIT's (or ROLLBACK's) answer")
                .register(registry);
        heldReleasing = Timer.builder("posting.lock.held")
                .tag("phase", "releasing")
                .description("From COMMIT's answer to lock-service's answer to the end of the lock transaction")
                .register(registry);
        retries = Counter.builder("posting.retries")
                .description("Transactions retried after a serialization failure")
                .register(registry);
        groups = DistributionSummary.builder("posting.group.documents")
                .description(
                        "New MANAGED documents posted under one lock transaction (those sharing Stock rows go together)")
                .register(registry);
        groupWait = Timer.builder("posting.group.wait")
                .description(
                        "From a new MANAGED document's arrival to the start of its group (waiting here for a group in flight"
                                + " on its Stock rows); posting.lock.wait follows")
                .publishPercentileHistogram()
                .register(registry);
        // scraped at zero for the space posting locks (the only one today)
        Counter.builder("posting.lock.escalations")
                .tag("space", "AccumulationRegister.Stock")
                .description("Lock requests of postings that lock-service escalated, by space (see posting-run progress"
                        + " for the covers)")
                .register(registry);
        batchSplits = Counter.builder("posting.run.batch.splits")
                .description(
                        "Posting-run batches lock-service refused as too large (lock.max-items-per-request), split in two")
                .register(registry);
        outboxSendFailures = Counter.builder("posting.outbox.send.failures")
                .description("Outbox relay rounds whose Kafka send failed (the events stay in the outbox)")
                .register(registry);
    }

    public void document(DocumentType type, String outcome) {
        documents.get(type + "/" + outcome).increment();
    }

    public void latency(DocumentType type, Duration d) {
        latency.get(type).record(d);
    }

    public void balanceRejection() {
        balanceRejections.increment();
    }

    /** lock-service escalated a posting's lock request in {@code space} (per cover it answered). */
    public void escalation(String space) {
        Counter.builder("posting.lock.escalations")
                .tag("space", space)
                .description("Lock requests of postings that lock-service escalated, by space (see posting-run progress"
                        + " for the covers)")
                .register(registry)
                .increment();
    }

    /** A posting run's batch refused by lock-service as too large, split in two. */
    public void batchSplit() {
        batchSplits.increment();
    }

    public void lockWait(Duration d) {
        lockWait.record(d);
    }

    public void heldWriting(long nanos) {
        heldWriting.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void heldReleasing(long nanos) {
        heldReleasing.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void retry() {
        retries.increment();
    }

    public void waitingForGroups(IntSupplier waiting) {
        Gauge.builder("posting.group.waiting", waiting::getAsInt)
                .description("New MANAGED documents waiting in this service for a group in flight on their Stock rows")
                .register(registry);
    }

    public void groupWait(long nanos) {
        groupWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void group(int documents) {
        groups.record(documents);
    }

    public void outboxSendFailure() {
        outboxSendFailures.increment();
    }
}
