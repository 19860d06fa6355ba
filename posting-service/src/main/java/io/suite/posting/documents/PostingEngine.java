package io.suite.posting.documents;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.suite.posting.Db;
import io.suite.posting.PostingConfig;
import io.suite.posting.events.Outbox;
import io.suite.posting.locking.LockPolicy;
import io.suite.posting.locking.ManagedLocks;
import io.suite.posting.registers.BalanceRule;
import io.suite.posting.registers.Movements;
import io.suite.posting.registers.SalesRegister;
import io.suite.posting.registers.Shortage;
import io.suite.posting.registers.StockKey;
import io.suite.posting.registers.StockRegister;
import io.suite.writeguard.WriteGuard;
import io.suite.writeguard.WritePermit;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Posts and unposts documents into the registers, one transaction per call, under the lock
 * control mode of the document type ({@link LockPolicy}). A call holds one or more documents
 * (posting runs post a batch per transaction); every document's balance check runs against the
 * balances as left by the documents before it in the same call.
 *
 * <p>MANAGED: movements computed, then EXCLUSIVE managed locks on exactly the Stock rows touched,
 * then (READ COMMITTED) read balances, {@link BalanceRule}, write with the fencing token, COMMIT,
 * then end the lock transaction. AUTOMATIC: SERIALIZABLE, retried on 40001/40P01.
 */
@ApplicationScoped
public class PostingEngine {

    public enum Op {
        /** a new document saved as DRAFT */
        DRAFT,
        /** post: a new or DRAFT document; {@code repost} also re-posts a POSTED one */
        POST,
        UNPOST
    }

    public record Job(DocumentData doc, boolean isNew, Op op, boolean repost) {
    }

    /** result: posted, reposted, unposted, draft, rejected (shortages), skipped (reason). */
    public record Outcome(DocumentData doc, String result, List<Shortage> shortages, String reason) {
        boolean accepted() {
            return !result.equals("rejected") && !result.equals("skipped");
        }
    }

    /** Idempotency-Key claimed inside the transaction; the answer is stored with the document. */
    public record Idempotency(String key, String hash) {
    }

    /** The same key is being (or was just) used by a concurrent request: read its stored answer. */
    public static final class IdempotencyRace extends RuntimeException {
        IdempotencyRace() {
            super(null, null, false, false);
        }
    }

    @Inject
    LockPolicy policy;
    @Inject
    ManagedLocks locks;
    @Inject
    PostingConfig config;
    @Inject
    PostingMetrics metrics;
    @Inject
    WriteGuard guard;
    @Inject
    ObjectMapper json;

    /**
     * Runs {@code jobs} (all of one lock plan) in one transaction. {@code allOrNothing}: a rejected
     * document fails the whole call with 422 and nothing is written (the API); otherwise rejected
     * documents are reported and the others committed (posting runs).
     */
    public Uni<List<Outcome>> run(List<Job> jobs, boolean allOrNothing, Idempotency idem, WritePermit permit) {
        LockPolicy.Plan plan = policy.plan(jobs.get(0).doc().type());
        Set<StockKey> rows = new TreeSet<>();
        for (Job j : jobs) {
            if (j.op() != Op.DRAFT) {
                rows.addAll(Movements.rows(j.doc()));
            }
        }
        Context context = Vertx.currentContext();
        if (plan.managedLocks() && !rows.isEmpty()) {
            String label = jobs.size() == 1 ? jobs.get(0).doc().label() : "posting batch of " + jobs.size();
            return locks.acquire(label, rows).chain(held -> attempt(jobs, allOrNothing, idem, permit, plan, rows,
                    held.fencingToken(), context, 1).call(() -> locks.release(held))
                    .onFailure().call(() -> locks.release(held)));
        }
        return attempt(jobs, allOrNothing, idem, permit, plan, rows, null, context, 1);
    }

    private Uni<List<Outcome>> attempt(List<Job> jobs, boolean allOrNothing, Idempotency idem, WritePermit permit,
            LockPolicy.Plan plan, Set<StockKey> rows, Long token, Context context, int attempt) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> transaction(s, jobs, allOrNothing, idem, permit, plan, new ArrayList<>(rows), token)))
                .onFailure(PostingEngine::retryable).recoverWithUni(e -> {
                    if (attempt >= config.automaticMaxAttempts()) {
                        return Uni.createFrom().failure(HttpProblem.builder()
                                .withType(URI.create("https://suite.dev/problems/serialization-failure"))
                                .withTitle("Too much contention").withStatus(503).withHeader("Retry-After", 1)
                                .withDetail("Gave up after " + attempt + " serialization failures; nothing was written").build());
                    }
                    metrics.retry();
                    long backoff = ThreadLocalRandom.current().nextLong(1, Math.min(100, 2L << Math.min(attempt, 6)) + 1);
                    Executor onContext = context == null ? Runnable::run : cmd -> context.runOnContext(v -> cmd.run());
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(backoff))
                            .emitOn(onContext)
                            .chain(() -> attempt(jobs, allOrNothing, idem, permit, plan, rows, token, context, attempt + 1));
                })
                .onFailure().transform(this::map);
    }

    static boolean retryable(Throwable e) {
        String state = Db.sqlState(e);
        return "40001".equals(state) || "40P01".equals(state);
    }

    private Throwable map(Throwable e) {
        String state = Db.sqlState(e);
        if ("25006".equals(state)) {
            return guard.refusal();
        }
        if ("23514".equals(state)) {
            // the CHECK constraint caught what balance control should have: refuse, nothing written
            return HttpProblem.builder().withType(URI.create("https://suite.dev/problems/insufficient-stock"))
                    .withTitle("Insufficient stock").withStatus(422)
                    .withDetail("A stock balance would go below zero; nothing was written")
                    .with("shortages", List.of()).build();
        }
        return e;
    }

    private Uni<List<Outcome>> transaction(Mutiny.Session s, List<Job> jobs, boolean allOrNothing, Idempotency idem,
            WritePermit permit, LockPolicy.Plan plan, List<StockKey> rows, Long token) {
        List<String> prelude = new ArrayList<>();
        if (plan.serializable()) {
            prelude.add("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        }
        if (permit == null && guard.refusesWrites()) {
            // nothing admitted by the write guard may write while read-only: the database refuses it too
            prelude.add(WriteGuard.SET_TRANSACTION_READ_ONLY);
        }
        Uni<Void> start = Uni.createFrom().voidItem();
        for (String sql : prelude) {
            start = start.chain(() -> Db.update(s, sql, List.of())).replaceWithVoid();
        }
        if (idem != null) {
            start = start.chain(() -> Db.rows(s, "INSERT INTO idempotency_keys (key, request_hash) VALUES (?1, ?2)"
                    + " ON CONFLICT (key) DO NOTHING RETURNING key, request_hash", List.of(idem.key(), idem.hash())))
                    .invoke(r -> {
                        if (r.isEmpty()) {
                            throw new IdempotencyRace();
                        }
                    }).replaceWithVoid();
        }
        List<UUID> existing = jobs.stream().filter(j -> !j.isNew()).map(j -> j.doc().id()).toList();
        return start
                .chain(() -> existing.isEmpty() ? Uni.createFrom().item(List.<Object[]>of())
                        : Db.rows(s, "SELECT id, status FROM documents WHERE id IN " + Db.tuples(1, existing.size(), 1)
                                + " ORDER BY id FOR UPDATE", existing))
                .chain(statusRows -> {
                    Map<UUID, DocumentStatus> status = new HashMap<>();
                    statusRows.forEach(r -> status.put((UUID) r[0], DocumentStatus.valueOf((String) r[1])));
                    return StockRegister.balances(s, rows, plan.rowLocks())
                            .chain(balances -> write(s, jobs, allOrNothing, idem, permit, status, balances, token));
                });
    }

    private Uni<List<Outcome>> write(Mutiny.Session s, List<Job> jobs, boolean allOrNothing, Idempotency idem,
            WritePermit permit, Map<UUID, DocumentStatus> status, Map<StockKey, BigDecimal> balances, Long token) {
        List<Outcome> outcomes = new ArrayList<>();
        Set<StockKey> existingRows = new java.util.HashSet<>(balances.keySet());
        Map<StockKey, BigDecimal> stockChange = new LinkedHashMap<>();
        Map<SalesRegister.Total, BigDecimal[]> salesChange = new LinkedHashMap<>();
        List<Document> inserts = new ArrayList<>();
        List<UUID> toPosted = new ArrayList<>();
        List<UUID> toDraft = new ArrayList<>();
        List<UUID> clearMovements = new ArrayList<>();
        List<StockRegister.Row> stockRows = new ArrayList<>();
        List<SalesRegister.Row> salesRows = new ArrayList<>();
        List<Outbox.Event> events = new ArrayList<>();

        for (Job job : jobs) {
            DocumentData doc = job.doc();
            DocumentStatus current = job.isNew() ? null : status.get(doc.id());
            if (!job.isNew() && current == null) {
                outcomes.add(new Outcome(doc, "skipped", List.of(), "not found"));
                continue;
            }
            boolean wasPosted = current == DocumentStatus.POSTED;
            boolean willPost;
            String result;
            switch (job.op()) {
                case DRAFT -> {
                    willPost = false;
                    result = "draft";
                }
                case POST -> {
                    if (wasPosted && !job.repost()) {
                        outcomes.add(new Outcome(doc.withStatus(current), "skipped", List.of(), "already posted"));
                        continue;
                    }
                    willPost = true;
                    result = wasPosted ? "reposted" : "posted";
                }
                default -> {
                    if (!wasPosted) {
                        outcomes.add(new Outcome(doc.withStatus(current), "skipped", List.of(), "not posted"));
                        continue;
                    }
                    willPost = false;
                    result = "unposted";
                }
            }
            // movements are a function of the (immutable) lines: old = what posting wrote, new = what it writes now
            List<Movements.Stock> oldStock = wasPosted ? Movements.stock(doc) : List.of();
            List<Movements.Stock> newStock = willPost ? Movements.stock(doc) : List.of();
            Map<StockKey, BigDecimal> change = Movements.net(newStock);
            Movements.net(oldStock).forEach((k, q) -> change.merge(k, q.negate(), BigDecimal::add));
            List<Shortage> shortages = BalanceRule.shortages(balances, change);
            if (!shortages.isEmpty()) {
                metrics.balanceRejection();
                if (allOrNothing) {
                    return Uni.createFrom().failure(insufficientStock(shortages));
                }
                outcomes.add(new Outcome(doc.withStatus(current == null ? DocumentStatus.DRAFT : current), "rejected", shortages,
                        "insufficient stock"));
                continue;
            }
            change.forEach((k, q) -> {
                balances.merge(k, q, BigDecimal::add);
                stockChange.merge(k, q, BigDecimal::add);
            });
            DocumentData after = doc.withStatus(willPost ? DocumentStatus.POSTED : DocumentStatus.DRAFT);
            if (job.isNew()) {
                inserts.add(Document.of(after));
            } else if (willPost && !wasPosted) {
                toPosted.add(doc.id());
            } else if (!willPost && wasPosted) {
                toDraft.add(doc.id());
            }
            if (wasPosted) {
                clearMovements.add(doc.id());
                for (Movements.Sales m : Movements.sales(doc)) {
                    salesChange.computeIfAbsent(new SalesRegister.Total(m.item(), m.warehouse(), m.day()),
                            t -> new BigDecimal[] { BigDecimal.ZERO, BigDecimal.ZERO });
                    BigDecimal[] v = salesChange.get(new SalesRegister.Total(m.item(), m.warehouse(), m.day()));
                    v[0] = v[0].subtract(m.quantity());
                    v[1] = v[1].subtract(m.amount());
                }
            }
            if (willPost) {
                newStock.forEach(m -> stockRows.add(new StockRegister.Row(doc.id(), m)));
                for (Movements.Sales m : Movements.sales(doc)) {
                    salesRows.add(new SalesRegister.Row(doc.id(), m));
                    BigDecimal[] v = salesChange.computeIfAbsent(new SalesRegister.Total(m.item(), m.warehouse(), m.day()),
                            t -> new BigDecimal[] { BigDecimal.ZERO, BigDecimal.ZERO });
                    v[0] = v[0].add(m.quantity());
                    v[1] = v[1].add(m.amount());
                }
            }
            if (!result.equals("draft")) {
                events.add(new Outbox.Event(willPost ? "posted" : "unposted", after));
            }
            outcomes.add(new Outcome(after, result, List.of(), null));
        }

        Uni<Void> u = Uni.createFrom().voidItem();
        if (!inserts.isEmpty()) {
            u = u.chain(() -> s.persistAll(inserts.toArray())).chain(s::flush);
        }
        if (!toPosted.isEmpty()) {
            u = u.chain(() -> Db.update(s, "UPDATE documents SET status = 'POSTED', posted_at = now() WHERE id IN "
                    + Db.tuples(1, toPosted.size(), 1), toPosted)).replaceWithVoid();
        }
        if (!toDraft.isEmpty()) {
            u = u.chain(() -> Db.update(s, "UPDATE documents SET status = 'DRAFT', posted_at = NULL WHERE id IN "
                    + Db.tuples(1, toDraft.size(), 1), toDraft)).replaceWithVoid();
        }
        u = u.chain(() -> StockRegister.deleteMovements(s, clearMovements))
                .chain(() -> SalesRegister.deleteMovements(s, clearMovements))
                .chain(() -> StockRegister.insertMovements(s, stockRows))
                .chain(() -> StockRegister.apply(s, stockChange, existingRows, token))
                .chain(() -> SalesRegister.insertMovements(s, salesRows))
                .chain(() -> SalesRegister.add(s, salesChange, config.salesSplits()))
                .chain(() -> Outbox.add(s, events));
        if (idem != null) {
            u = u.chain(() -> Db.update(s, "UPDATE idempotency_keys SET status = ?1, response = ?2 WHERE key = ?3",
                    List.of(201, json(outcomes.get(0).doc()), idem.key()))).replaceWithVoid();
        }
        return u.invoke(() -> {
            if (permit != null) {
                permit.check(); // rolled back if the drain timeout aborted this write
            }
        }).replaceWith(outcomes);
    }

    public static HttpProblem insufficientStock(List<Shortage> shortages) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Shortage sh : shortages) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("item", sh.item());
            m.put("warehouse", sh.warehouse());
            m.put("requested", sh.requested());
            m.put("available", sh.available());
            list.add(m);
        }
        return HttpProblem.builder().withType(URI.create("https://suite.dev/problems/insufficient-stock"))
                .withTitle("Insufficient stock").withStatus(422)
                .withDetail("A stock balance would go below zero; nothing was written")
                .with("shortages", list).build();
    }

    private String json(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
