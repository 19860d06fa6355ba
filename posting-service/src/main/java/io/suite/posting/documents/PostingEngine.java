package io.suite.posting.documents;

import java.math.BigDecimal;
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
import io.suite.posting.Writes;
import io.suite.posting.events.Outbox;
import io.suite.posting.locking.LockPolicy;
import io.suite.posting.locking.ManagedLocks;
import io.suite.posting.registers.BalanceRule;
import io.suite.posting.registers.Movements;
import io.suite.posting.registers.SalesRegister;
import io.suite.posting.registers.Shortage;
import io.suite.posting.registers.StockKey;
import io.suite.posting.registers.StockRegister;
import io.suite.problems.ProblemTypes;
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
 * <p>MANAGED: EXCLUSIVE managed locks on exactly the Stock rows touched, taken before the transaction
 * begins (nobody waits for a managed lock while holding database locks), then (READ COMMITTED) the
 * balances read, checked by {@link BalanceRule} and written with the fencing token, COMMIT, then the
 * lock transaction ends. New documents through the API take the shorter way of {@link GroupedPosting}.
 * AUTOMATIC: SERIALIZABLE, retried on 40001/40P01.
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
        boolean managed = plan.managedLocks() && !rows.isEmpty();
        Context context = Vertx.currentContext();
        Locking locking = managed
                ? locking(jobs.size() == 1 ? jobs.get(0).doc().label() : "posting batch of " + jobs.size(), rows)
                : new Locking();
        // the lock before the transaction begins: a SERIALIZABLE snapshot must start after the grant, a batch
        // needs its checks before writing, and nobody waits for a managed lock while holding database locks
        Uni<List<Outcome>> work = managed
                ? locking.acquire.chain(() -> attempt(jobs, allOrNothing, idem, permit, plan, rows, locking, context, 1))
                : attempt(jobs, allOrNothing, idem, permit, plan, rows, locking, context, 1);
        return work.call(locking::release).onFailure().call(locking::release);
    }

    /** One lock transaction on {@code rows} for all attempts (a retry re-uses the grant); released once. */
    Locking locking(String label, Set<StockKey> rows) {
        return locking(label, rows, config.lockWaitTimeout());
    }

    Locking locking(String label, Set<StockKey> rows, Duration timeout) {
        Locking locking = new Locking();
        locking.acquire = locks.acquire(label, rows, timeout).invoke(h -> {
            locking.held = h;
            locking.grantedAt = System.nanoTime();
        }).memoize().indefinitely();
        return locking;
    }

    /** The managed locks of one call: acquired once, released once. */
    final class Locking {
        Uni<ManagedLocks.Held> acquire;
        volatile ManagedLocks.Held held;
        volatile long grantedAt;

        Uni<Long> token() {
            return acquire == null ? Uni.createFrom().nullItem() : acquire.map(ManagedLocks.Held::fencingToken);
        }

        Uni<Void> release() {
            ManagedLocks.Held h = held;
            held = null;
            if (h == null) {
                return Uni.createFrom().voidItem();
            }
            long written = System.nanoTime();
            metrics.heldWriting(written - grantedAt);
            return locks.release(h).invoke(() -> metrics.heldReleasing(System.nanoTime() - written));
        }
    }

    private Uni<List<Outcome>> attempt(List<Job> jobs, boolean allOrNothing, Idempotency idem, WritePermit permit,
            LockPolicy.Plan plan, Set<StockKey> rows, Locking locking, Context context, int attempt) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> transaction(s, jobs, allOrNothing, idem, permit, plan, new ArrayList<>(rows), locking)))
                .onFailure(PostingEngine::retryable).recoverWithUni(e -> {
                    if (attempt >= config.automaticMaxAttempts()) {
                        return Uni.createFrom().failure(tooMuchContention(attempt));
                    }
                    metrics.retry();
                    long backoff = ThreadLocalRandom.current().nextLong(1, Math.min(100, 2L << Math.min(attempt, 6)) + 1);
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(backoff))
                            .emitOn(onContext(context))
                            .chain(() -> attempt(jobs, allOrNothing, idem, permit, plan, rows, locking, context, attempt + 1));
                })
                .onFailure().transform(this::map);
    }

    static HttpProblem tooMuchContention(int attempts) {
        return HttpProblem.builder().withType(ProblemTypes.SERIALIZATION_FAILURE)
                .withTitle("Too much contention").withStatus(503).withHeader("Retry-After", 1)
                .withDetail("Gave up after " + attempts + " attempts that met concurrent writers; nothing was written").build();
    }

    private static Executor onContext(Context context) {
        return context == null ? Runnable::run : cmd -> context.runOnContext(v -> cmd.run());
    }

    static boolean retryable(Throwable e) {
        String state = Db.sqlState(e);
        return "40001".equals(state) || "40P01".equals(state);
    }

    Throwable map(Throwable e) {
        String state = Db.sqlState(e);
        if ("25006".equals(state)) {
            return guard.refusal();
        }
        if ("23514".equals(state)) {
            // the CHECK constraint caught what balance control should have: refuse, nothing written
            return HttpProblem.builder().withType(ProblemTypes.INSUFFICIENT_STOCK)
                    .withTitle("Insufficient stock").withStatus(422)
                    .withDetail("A stock balance would go below zero; nothing was written")
                    .with("shortages", List.of()).build();
        }
        return e;
    }

    private Uni<List<Outcome>> transaction(Mutiny.Session s, List<Job> jobs, boolean allOrNothing, Idempotency idem,
            WritePermit permit, LockPolicy.Plan plan, List<StockKey> rows, Locking locking) {
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
                    if (allOrNothing) {
                        // all or nothing: documents, movements, sales and outbox, then the balances read (under the
                        // managed lock, or FOR UPDATE), checked and written; a shortage rolls it all back
                        Decision d = decide(jobs, status, null, true);
                        return writeDocuments(s, d, idem)
                                .chain(() -> locking.token().chain(token -> checkThenWrite(s, d, rows, plan, token)))
                                .invoke(() -> check(permit)).replaceWith(d.outcomes);
                    }
                    return locking.token().chain(token -> StockRegister.balances(s, rows, plan.rowLocks()).chain(balances -> {
                        Set<StockKey> existingRows = new java.util.HashSet<>(balances.keySet());
                        Decision d = decide(jobs, status, balances, false);
                        return writeDocuments(s, d, idem)
                                .chain(() -> StockRegister.apply(s, d.stockChange, existingRows, token))
                                .invoke(() -> check(permit)).replaceWith(d.outcomes);
                    }));
                });
    }

    /** Reads the balances (FOR UPDATE in that baseline), lets {@link BalanceRule} decide, then writes. */
    private Uni<Void> checkThenWrite(Mutiny.Session s, Decision d, List<StockKey> rows, LockPolicy.Plan plan, Long token) {
        return StockRegister.balances(s, rows, plan.rowLocks()).chain(balances -> {
            List<Shortage> shortages = BalanceRule.shortages(balances, d.stockChange);
            if (!shortages.isEmpty()) {
                metrics.balanceRejection();
                return Uni.createFrom().failure(insufficientStock(shortages));
            }
            return StockRegister.apply(s, d.stockChange, new java.util.HashSet<>(balances.keySet()), token);
        });
    }

    static void check(WritePermit permit) {
        if (permit != null) {
            permit.check(); // rolled back if the drain timeout aborted this write
        }
    }

    /** What a call writes, decided in memory. */
    static final class Decision {
        final List<Outcome> outcomes = new ArrayList<>();
        final Map<StockKey, BigDecimal> stockChange = new LinkedHashMap<>();
        final Map<SalesRegister.Total, BigDecimal[]> salesChange = new java.util.TreeMap<>(
                java.util.Comparator.comparing(SalesRegister.Total::item).thenComparing(SalesRegister.Total::warehouse)
                        .thenComparing(SalesRegister.Total::day));
        final List<DocumentData> inserts = new ArrayList<>();
        final List<UUID> toPosted = new ArrayList<>();
        final List<UUID> toDraft = new ArrayList<>();
        final List<UUID> clearMovements = new ArrayList<>();
        final List<StockRegister.Row> stockRows = new ArrayList<>();
        final List<SalesRegister.Row> salesRows = new ArrayList<>();
        final List<Outbox.Event> events = new ArrayList<>();

        void addSales(Movements.Sales m, int sign) {
            BigDecimal[] v = salesChange.computeIfAbsent(new SalesRegister.Total(m.item(), m.warehouse(), m.day()),
                    t -> new BigDecimal[] { BigDecimal.ZERO, BigDecimal.ZERO });
            v[0] = sign > 0 ? v[0].add(m.quantity()) : v[0].subtract(m.quantity());
            v[1] = sign > 0 ? v[1].add(m.amount()) : v[1].subtract(m.amount());
        }
    }

    /**
     * Decides each job in order. With {@code balances} every document is checked by {@link BalanceRule}
     * against the balances left by the documents before it; without, all are taken (checked later as a whole).
     */
    Decision decide(List<Job> jobs, Map<UUID, DocumentStatus> status, Map<StockKey, BigDecimal> balances,
            boolean allOrNothing) {
        Decision d = new Decision();
        for (Job job : jobs) {
            DocumentData doc = job.doc();
            DocumentStatus current = job.isNew() ? null : status.get(doc.id());
            if (!job.isNew() && current == null) {
                d.outcomes.add(new Outcome(doc, "skipped", List.of(), "not found"));
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
                        d.outcomes.add(new Outcome(doc.withStatus(current), "skipped", List.of(), "already posted"));
                        continue;
                    }
                    willPost = true;
                    result = wasPosted ? "reposted" : "posted";
                }
                default -> {
                    if (!wasPosted) {
                        d.outcomes.add(new Outcome(doc.withStatus(current), "skipped", List.of(), "not posted"));
                        continue;
                    }
                    willPost = false;
                    result = "unposted";
                }
            }
            // movements are a function of the (immutable) lines: old = what posting wrote, new = what it writes now
            List<Movements.Stock> newStock = willPost ? Movements.stock(doc) : List.of();
            Map<StockKey, BigDecimal> change = Movements.net(newStock);
            if (wasPosted) {
                Movements.net(Movements.stock(doc)).forEach((k, q) -> change.merge(k, q.negate(), BigDecimal::add));
            }
            if (balances != null) {
                List<Shortage> shortages = BalanceRule.shortages(balances, change);
                if (!shortages.isEmpty()) {
                    metrics.balanceRejection();
                    d.outcomes.add(new Outcome(doc.withStatus(current == null ? DocumentStatus.DRAFT : current), "rejected",
                            shortages, "insufficient stock"));
                    continue;
                }
                change.forEach((k, q) -> balances.merge(k, q, BigDecimal::add));
            }
            change.forEach((k, q) -> d.stockChange.merge(k, q, BigDecimal::add));
            DocumentData after = doc.withStatus(willPost ? DocumentStatus.POSTED : DocumentStatus.DRAFT);
            if (job.isNew()) {
                d.inserts.add(after);
            } else if (willPost && !wasPosted) {
                d.toPosted.add(doc.id());
            } else if (!willPost && wasPosted) {
                d.toDraft.add(doc.id());
            }
            if (wasPosted) {
                d.clearMovements.add(doc.id());
                Movements.sales(doc).forEach(m -> d.addSales(m, -1));
            }
            if (willPost) {
                newStock.forEach(m -> d.stockRows.add(new StockRegister.Row(doc.id(), m)));
                for (Movements.Sales m : Movements.sales(doc)) {
                    d.salesRows.add(new SalesRegister.Row(doc.id(), m));
                    d.addSales(m, +1);
                }
            }
            if (!result.equals("draft")) {
                d.events.add(new Outbox.Event(willPost ? "posted" : "unposted", after));
            }
            d.outcomes.add(new Outcome(after, result, List.of(), null));
        }
        return d;
    }

    /**
     * Everything but the balances: the deletes of a repost's old movements, which must precede their
     * inserts; then new documents, movements, sales totals, outbox and idempotency answer as one
     * statement ({@link Writes}).
     */
    private Uni<Void> writeDocuments(Mutiny.Session s, Decision d, Idempotency idem) {
        Uni<Void> u = StockRegister.deleteMovements(s, d.clearMovements)
                .chain(() -> SalesRegister.deleteMovements(s, d.clearMovements));
        Writes w = documentWrites(d);
        if (idem != null && !d.outcomes.isEmpty()) {
            w.add("UPDATE idempotency_keys SET status = ?1, response = ?2 WHERE key = ?3",
                    List.of(201, json(d.outcomes.get(0).doc()), idem.key()));
        }
        return u.chain(() -> w.run(s));
    }

    /** As {@link #documentWrites(Decision)}, with the Idempotency-Key and its answer. */
    Writes documentWrites(Decision d, Idempotency idem) {
        Writes w = documentWrites(d);
        addIdempotency(w, d, idem);
        return w;
    }

    /** The key and the answer of {@code d}'s one document: a twin's statement fails on the key. */
    void addIdempotency(Writes w, Decision d, Idempotency idem) {
        if (idem != null) {
            w.add("INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (?1, ?2, ?3, ?4)",
                    List.of(idem.key(), idem.hash(), 201, json(d.outcomes.get(0).doc())));
        }
    }

    /** New documents, status changes, movements, sales totals and outbox rows of {@code d}. */
    Writes documentWrites(Decision d) {
        Writes w = new Writes();
        Document.insertAll(w, d.inserts);
        if (!d.toPosted.isEmpty()) {
            w.add("UPDATE documents SET status = 'POSTED', posted_at = now() WHERE id IN " + Db.tuples(1, d.toPosted.size(), 1),
                    d.toPosted);
        }
        if (!d.toDraft.isEmpty()) {
            w.add("UPDATE documents SET status = 'DRAFT', posted_at = NULL WHERE id IN " + Db.tuples(1, d.toDraft.size(), 1),
                    d.toDraft);
        }
        StockRegister.insertMovements(w, d.stockRows);
        SalesRegister.insertMovements(w, d.salesRows);
        SalesRegister.add(w, d.salesChange, config.salesSplits());
        Outbox.add(w, d.events);
        return w;
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
        return HttpProblem.builder().withType(ProblemTypes.INSUFFICIENT_STOCK)
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
