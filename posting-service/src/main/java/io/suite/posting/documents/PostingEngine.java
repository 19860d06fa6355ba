package io.suite.posting.documents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.suite.posting.Db;
import io.suite.posting.FreshConnection;
import io.suite.posting.PostingConfig;
import io.suite.posting.PostingMetrics;
import io.suite.posting.PostingProblems;
import io.suite.posting.Writes;
import io.suite.posting.locking.Escalation;
import io.suite.posting.locking.LockHold;
import io.suite.posting.locking.LockPolicy;
import io.suite.posting.locking.LockRequestTooLarge;
import io.suite.posting.locking.ManagedLocks;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.model.Shortage;
import io.suite.posting.registers.BalanceRule;
import io.suite.posting.registers.Movements;
import io.suite.posting.registers.SalesRegister;
import io.suite.posting.registers.StockKey;
import io.suite.posting.registers.StockRegister;
import io.suite.writeguard.WriteGuard;
import io.suite.writeguard.WritePermit;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs a {@link PostingPlan} in a transaction, one per call, under the lock control mode of the document
 * type ({@link LockPolicy}). A call holds one or more documents (posting runs post a batch per
 * transaction); every document's balance check runs against the balances as left by the documents
 * before it in the same call.
 *
 * <p>MANAGED: EXCLUSIVE managed locks on exactly the Stock rows touched, taken before the transaction
 * begins (nobody waits for a managed lock while holding database locks), then (READ COMMITTED) the
 * balances read, checked by {@link BalanceRule} and written with the fencing token, COMMIT, then the
 * lock transaction ends. New documents through the API take the shorter way of {@link GroupedPosting}.
 * AUTOMATIC: SERIALIZABLE, retried on 40001/40P01.
 */
@ApplicationScoped
public class PostingEngine {
    private final LockPolicy policy;
    private final ManagedLocks locks;
    private final PostingConfig config;
    private final PostingMetrics metrics;
    private final WriteGuard guard;
    private final IdempotencyKeys keys;

    PostingEngine(
            LockPolicy policy,
            ManagedLocks locks,
            PostingConfig config,
            PostingMetrics metrics,
            WriteGuard guard,
            IdempotencyKeys keys) {
        this.policy = policy;
        this.locks = locks;
        this.config = config;
        this.metrics = metrics;
        this.guard = guard;
        this.keys = keys;
    }

    /**
     * Runs {@code jobs} (all of one lock plan) in one transaction. {@code allOrNothing}: a rejected
     * document fails the whole call with 422 and nothing is written (the API); otherwise rejected
     * documents are reported and the others committed (posting runs).
     */
    public Uni<List<DocumentOutcome>> run(
            List<PostingJob> jobs, boolean allOrNothing, IdempotencyKeys.Key idem, WritePermit permit) {
        return run(jobs, allOrNothing, idem, permit, null);
    }

    /**
     * As {@link #run(List, boolean, IdempotencyKeys.Key, WritePermit)}, for a posting run's batch: told what
     * lock-service escalated its locks to ({@code escalations}), and failing with {@link LockRequestTooLarge}
     * (nothing done) when lock-service refuses its rows in one request, so that the run splits it.
     */
    public Uni<List<DocumentOutcome>> run(
            List<PostingJob> jobs,
            boolean allOrNothing,
            IdempotencyKeys.Key idem,
            WritePermit permit,
            Consumer<List<Escalation>> escalations) {
        LockPolicy.Plan plan = policy.plan(jobs.get(0).doc().type());
        Set<StockKey> rows = new TreeSet<>();
        for (PostingJob j : jobs) {
            if (j.op() != PostingJob.Op.DRAFT) {
                rows.addAll(Movements.rows(j.doc()));
            }
        }
        boolean managed = plan.managedLocks() && !rows.isEmpty();
        Context context = Vertx.currentContext();
        // one lock transaction on rows for all attempts (a retry re-uses the grant), released once
        LockHold locking = managed
                ? locks.hold(
                        jobs.size() == 1 ? jobs.get(0).doc().label() : "posting batch of " + jobs.size(),
                        rows,
                        config.lockWaitTimeout(),
                        escalations != null && jobs.size() > 1)
                : LockHold.none();
        // the lock before the transaction begins: a SERIALIZABLE snapshot must start after the grant, a batch
        // needs its checks before writing, and nobody waits for a managed lock while holding database locks
        Uni<List<DocumentOutcome>> work = managed
                ? locking.acquire()
                        .invoke(held -> {
                            if (escalations != null && !held.escalated().isEmpty()) {
                                escalations.accept(held.escalated());
                            }
                        })
                        .chain(() -> attempt(jobs, allOrNothing, idem, permit, plan, rows, locking, context, 1))
                : attempt(jobs, allOrNothing, idem, permit, plan, rows, locking, context, 1);
        return work.call(locking::release).onFailure().call(locking::release);
    }

    private Uni<List<DocumentOutcome>> attempt(
            List<PostingJob> jobs,
            boolean allOrNothing,
            IdempotencyKeys.Key idem,
            WritePermit permit,
            LockPolicy.Plan plan,
            Set<StockKey> rows,
            LockHold locking,
            Context context,
            int attempt) {
        return FreshConnection.transaction(() -> Panache.getSession()
                        .chain(s ->
                                transaction(s, jobs, allOrNothing, idem, permit, plan, new ArrayList<>(rows), locking)))
                .onFailure(Db::retryable)
                .recoverWithUni(e -> {
                    if (attempt >= config.automaticMaxAttempts()) {
                        return Uni.createFrom().failure(PostingProblems.tooMuchContention(attempt));
                    }
                    metrics.retry();
                    long backoff =
                            ThreadLocalRandom.current().nextLong(1, Math.min(100, 2L << Math.min(attempt, 6)) + 1);
                    return Uni.createFrom()
                            .voidItem()
                            .onItem()
                            .delayIt()
                            .by(Duration.ofMillis(backoff))
                            .emitOn(onContext(context))
                            .chain(() -> attempt(
                                    jobs, allOrNothing, idem, permit, plan, rows, locking, context, attempt + 1));
                })
                .onFailure()
                .transform(e -> PostingProblems.ofSql(e, guard));
    }

    private static Executor onContext(Context context) {
        return context == null ? Runnable::run : cmd -> context.runOnContext(v -> cmd.run());
    }

    private Uni<List<DocumentOutcome>> transaction(
            Mutiny.Session s,
            List<PostingJob> jobs,
            boolean allOrNothing,
            IdempotencyKeys.Key idem,
            WritePermit permit,
            LockPolicy.Plan plan,
            List<StockKey> rows,
            LockHold locking) {
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
            start = start.chain(() -> keys.claim(s, idem));
        }
        List<UUID> existing =
                jobs.stream().filter(j -> !j.isNew()).map(j -> j.doc().id()).toList();
        return start.chain(() -> existing.isEmpty()
                        ? Uni.createFrom().item(List.<Object[]>of())
                        : Db.rows(
                                s,
                                "SELECT id, status FROM documents WHERE id IN " + Db.tuples(1, existing.size(), 1)
                                        + " ORDER BY id FOR UPDATE",
                                existing))
                .chain(statusRows -> {
                    Map<UUID, DocumentStatus> status = new HashMap<>();
                    statusRows.forEach(r -> status.put((UUID) r[0], DocumentStatus.valueOf((String) r[1])));
                    if (allOrNothing) {
                        // all or nothing: documents, movements, sales and outbox, then the balances read (under the
                        // managed lock, or FOR UPDATE), checked and written; a shortage rolls it all back
                        PostingPlan p = PostingPlan.decide(jobs, status, null);
                        return writeDocuments(s, p, idem)
                                .chain(() -> locking.token().chain(token -> checkThenWrite(s, p, rows, plan, token)))
                                .invoke(() -> check(permit))
                                .replaceWith(p.outcomes());
                    }
                    return locking.token()
                            .chain(token -> StockRegister.balances(s, rows, plan.rowLocks())
                                    .chain(balances -> {
                                        PostingPlan p = PostingPlan.decide(jobs, status, balances);
                                        p.outcomes().stream()
                                                .filter(o -> o.outcome() == Outcome.REJECTED)
                                                .forEach(o -> metrics.balanceRejection());
                                        return writeDocuments(s, p, idem)
                                                .chain(() -> StockRegister.apply(
                                                        s, p.stockChange(), balances.keySet(), token))
                                                .invoke(() -> check(permit))
                                                .replaceWith(p.outcomes());
                                    }));
                });
    }

    /** Reads the balances (FOR UPDATE in that baseline), lets {@link BalanceRule} decide, then writes. */
    private Uni<Void> checkThenWrite(
            Mutiny.Session s, PostingPlan p, List<StockKey> rows, LockPolicy.Plan plan, Long token) {
        return StockRegister.balances(s, rows, plan.rowLocks()).chain(balances -> {
            List<Shortage> shortages = BalanceRule.shortages(balances, p.stockChange());
            if (!shortages.isEmpty()) {
                metrics.balanceRejection();
                return Uni.createFrom().failure(PostingProblems.insufficientStock(shortages));
            }
            return StockRegister.apply(s, p.stockChange(), new HashSet<>(balances.keySet()), token);
        });
    }

    static void check(WritePermit permit) {
        if (permit != null) {
            permit.check(); // rolled back if the drain timeout aborted this write
        }
    }

    /**
     * Everything but the balances: the deletes of a repost's old movements, which must precede their
     * inserts; then new documents, movements, sales totals, outbox and idempotency answer as one
     * statement ({@link Writes}).
     */
    private Uni<Void> writeDocuments(Mutiny.Session s, PostingPlan p, IdempotencyKeys.Key idem) {
        Uni<Void> u = StockRegister.deleteMovements(s, p.clearMovements())
                .chain(() -> SalesRegister.deleteMovements(s, p.clearMovements()));
        Writes w = p.writes(config.salesSplits());
        if (idem != null && !p.outcomes().isEmpty()) {
            keys.addAnswer(w, idem, p.answer());
        }
        return u.chain(() -> w.run(s));
    }
}
