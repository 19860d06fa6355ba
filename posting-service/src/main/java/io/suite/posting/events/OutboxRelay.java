package io.suite.posting.events;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.suite.posting.Db;
import io.suite.posting.PostingConfig;
import io.suite.posting.PostingMetrics;
import io.suite.writeguard.WriteGuard;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Publishes committed outbox rows on Kafka {@code document-events} (at least once, in id order,
 * keyed by document id), then marks them sent. Claims rows first (committed) so several replicas
 * share the work and no transaction stays open while Kafka is awaited; a claim that is not marked
 * sent (Kafka down, crash) expires and the rows are sent again. Paused while writes are refused.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Sent rows deleted a transaction when pruning. */
    private static final int PRUNE_BATCH = 10_000;

    record Pending(long id, String key, String payload) {}

    /** A client proxy: the emitter is created on first use, after start-up has wired the channels. */
    private final DocumentEvents events;

    private volatile boolean started;

    void started(@Observes StartupEvent event) {
        started = true;
    }

    private final WriteGuard guard;
    private final PostingConfig config;
    private final PostingMetrics metrics;

    OutboxRelay(DocumentEvents events, WriteGuard guard, PostingConfig config, PostingMetrics metrics) {
        this.events = events;
        this.guard = guard;
        this.config = config;
        this.metrics = metrics;
    }

    @Scheduled(every = "${posting.outbox-interval:500ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        if (!started || guard.refusesWrites()) {
            return Uni.createFrom().voidItem();
        }
        Context context = Vertx.currentContext();
        Executor onContext = context == null ? Runnable::run : cmd -> context.runOnContext(v -> cmd.run());
        return guard.write(this::claim)
                .chain(pending -> {
                    if (pending.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    List<Long> sent = new ArrayList<>();
                    return Multi.createFrom()
                            .iterable(pending)
                            .onItem()
                            .transformToUniAndConcatenate(
                                    p -> events.send(p.key(), p.payload()).invoke(() -> sent.add(p.id())))
                            .collect()
                            .last()
                            .onFailure()
                            .recoverWithItem(e -> {
                                metrics.outboxSendFailure();
                                LOG.warnf(
                                        "outbox: Kafka send failed after %d of %d events (kept for retry): %s",
                                        sent.size(), pending.size(), e.toString());
                                return null;
                            })
                            .emitOn(onContext)
                            .chain(() -> guard.write(() -> mark(sent, pending)));
                })
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.debugf("outbox relay round failed: %s", e.toString());
                    return null;
                })
                .replaceWithVoid();
    }

    /** Deletes sent rows past {@code posting.outbox-retention} in bounded batches (skipped while read-only). */
    @Scheduled(every = "${posting.outbox-prune-interval:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        if (!started || guard.refusesWrites()) {
            return Uni.createFrom().voidItem();
        }
        return pruneBatch().onFailure().recoverWithItem(e -> {
            LOG.warnf("outbox pruning failed (tried again next round): %s", e.toString());
            return null;
        });
    }

    /** One transaction of at most {@link #PRUNE_BATCH} rows; a full batch means more are due: go on. */
    private Uni<Void> pruneBatch() {
        return guard.write(() -> Panache.withTransaction(() -> Panache.getSession()
                        .chain(s -> Db.update(
                                s,
                                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - ?1"
                                        + " * interval '1 millisecond' ORDER BY sent_at LIMIT ?2)",
                                List.of(config.outboxRetention().toMillis(), PRUNE_BATCH)))))
                .chain(n -> {
                    LOG.debugf("outbox: deleted %d sent rows", n);
                    return n == PRUNE_BATCH && !guard.refusesWrites()
                            ? pruneBatch()
                            : Uni.createFrom().voidItem();
                });
    }

    private Uni<List<Pending>> claim() {
        return Panache.withTransaction(() -> Panache.getSession()
                        .chain(s -> Db.rows(
                                s,
                                "UPDATE outbox SET claimed_until = now() + interval '2 minutes' WHERE id IN (SELECT id FROM outbox"
                                        + " WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < now()) ORDER BY id LIMIT ?1"
                                        + " FOR UPDATE SKIP LOCKED) RETURNING id, event_key, payload",
                                List.of(config.outboxBatch()))))
                .map(rows -> rows.stream()
                        .map(r -> new Pending(((Number) r[0]).longValue(), (String) r[1], (String) r[2]))
                        .sorted(Comparator.comparingLong(Pending::id))
                        .toList());
    }

    private Uni<Void> mark(List<Long> sent, List<Pending> pending) {
        List<Long> unsent = pending.stream()
                .map(Pending::id)
                .filter(id -> !sent.contains(id))
                .toList();
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> {
                    Uni<Integer> u = sent.isEmpty()
                            ? Uni.createFrom().item(0)
                            : Db.update(
                                    s,
                                    "UPDATE outbox SET sent_at = now() WHERE id IN " + Db.tuples(1, sent.size(), 1),
                                    sent);
                    return u.chain(() -> unsent.isEmpty()
                            ? Uni.createFrom().item(0)
                            : Db.update(
                                    s,
                                    "UPDATE outbox SET claimed_until = NULL WHERE id IN "
                                            + Db.tuples(1, unsent.size(), 1),
                                    unsent));
                }))
                .replaceWithVoid();
    }
}
