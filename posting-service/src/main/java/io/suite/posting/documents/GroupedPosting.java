package io.suite.posting.documents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.suite.posting.DatabaseOutage;
import io.suite.posting.Db;
import io.suite.posting.FreshConnection;
import io.suite.posting.LockMode;
import io.suite.posting.PostingConfig;
import io.suite.posting.PostingMetrics;
import io.suite.posting.PostingProblems;
import io.suite.posting.Writes;
import io.suite.posting.locking.LockHold;
import io.suite.posting.locking.LockPolicy;
import io.suite.posting.locking.ManagedLocks;
import io.suite.posting.locking.RowGroups;
import io.suite.posting.model.Shortage;
import io.suite.posting.registers.BalanceRule;
import io.suite.posting.registers.Movements;
import io.suite.posting.registers.StockKey;
import io.suite.posting.registers.StockRegister;
import io.suite.writeguard.WriteGuard;
import io.suite.writeguard.WritePermit;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * MANAGED posting of a new document through the API, the short way: everything is decided first
 * ({@link PostingPlan}), then EXCLUSIVE managed locks on exactly its Stock rows ({@link ManagedLocks}),
 * then one statement that is its own transaction (READ COMMITTED) writes it all, the balances only
 * where they stay non-negative ({@link BalanceRule}) and the fencing token allows; then the lock
 * transaction ends. No connection is held while waiting for the lock, and the hold is one round trip
 * to PostgreSQL.
 *
 * <p>Documents that wait for the same rows at once go as one group ({@link RowGroups}): one lock
 * transaction, one statement, each document answered on its own. Anything else (a draft, another
 * lock mode, a document too big for one statement) goes to {@link PostingEngine#run}.
 */
@Startup // posting_group_waiting is scraped from the start
@ApplicationScoped
public class GroupedPosting {
    /** Most sends of a one-statement posting that met a writer outside managed locks. */
    private static final int ONE_STATEMENT_ATTEMPTS = 3;

    private final PostingEngine engine;
    private final LockPolicy policy;
    private final ManagedLocks locks;
    private final IdempotencyKeys keys;
    private final PostingConfig config;
    private final PostingMetrics metrics;
    private final WriteGuard guard;
    private final Vertx vertx;

    GroupedPosting(
            PostingEngine engine,
            LockPolicy policy,
            ManagedLocks locks,
            IdempotencyKeys keys,
            PostingConfig config,
            PostingMetrics metrics,
            WriteGuard guard,
            Vertx vertx) {
        this.engine = engine;
        this.policy = policy;
        this.locks = locks;
        this.keys = keys;
        this.config = config;
        this.metrics = metrics;
        this.guard = guard;
        this.vertx = vertx;
    }

    /** New documents in front of lock-service: those that wait for the same rows go together. */
    private RowGroups<Pending, StockKey> groups;

    /** Posts {@code job} (a new document) all or nothing, as {@link PostingEngine#run} does. */
    public Uni<List<DocumentOutcome>> post(PostingJob job, IdempotencyKeys.Key idem, WritePermit permit) {
        LockPolicy.Plan plan = policy.plan(job.doc().type());
        if (!job.isNew()
                || job.op() != PostingJob.Op.POST
                || !plan.grouped()
                || (permit == null && guard.refusesWrites())) {
            return engine.run(List.of(job), true, idem, permit);
        }
        Set<StockKey> rows = new TreeSet<>(Movements.rows(job.doc()));
        PostingPlan d = PostingPlan.decide(List.of(job), Map.of(), null);
        Writes w = writes(d, idem);
        int parameters = w.parameters() + StockRegister.parametersUnderLock(d.stockChange(), rowLocks());
        if (rows.isEmpty() || parameters > Writes.MAX_ONE_STATEMENT_PARAMETERS) {
            return engine.run(List.of(job), true, idem, permit);
        }
        return Uni.createFrom().emitter(answer -> {
            Pending p = new Pending(job, d, w, idem, permit, rows, Vertx.currentContext(), answer);
            answer.onTermination(() -> p.gone = true);
            groups.submit(p);
        });
    }

    /** The plan's writes with the key and its answer: a twin's statement fails on the key. */
    private Writes writes(PostingPlan d, IdempotencyKeys.Key idem) {
        Writes w = d.writes(config.salesSplits());
        if (idem != null) {
            keys.addKeyAndAnswer(w, idem, d.answer());
        }
        return w;
    }

    /** A new document in {@link #groups}, answered through {@code answer}. */
    private static final class Pending {
        final PostingJob job;
        final PostingPlan d;
        final Writes writes;
        final IdempotencyKeys.Key idem;
        final WritePermit permit;
        final Set<StockKey> rows;
        final Context context;
        final UniEmitter<? super List<DocumentOutcome>> answer;
        final long arrived = System.nanoTime();
        /** the caller went away (cancelled, or aborted by the drain timeout) */
        volatile boolean gone;

        Pending(
                PostingJob job,
                PostingPlan d,
                Writes writes,
                IdempotencyKeys.Key idem,
                WritePermit permit,
                Set<StockKey> rows,
                Context context,
                UniEmitter<? super List<DocumentOutcome>> answer) {
            this.job = job;
            this.d = d;
            this.writes = writes;
            this.idem = idem;
            this.permit = permit;
            this.rows = rows;
            this.context = context;
            this.answer = answer;
        }

        void answer(List<DocumentOutcome> outcomes, Throwable failure) {
            if (failure != null) {
                answer.fail(failure);
            } else {
                answer.complete(outcomes);
            }
        }
    }

    @PostConstruct
    void createGroups() {
        groups = new RowGroups<>(p -> p.rows, config.groupMaxDocuments(), this::start);
        metrics.waitingForGroups(groups::waiting);
    }

    /** New documents waiting here for a group in flight on their rows. */
    public int waitingForGroups() {
        return groups.waiting();
    }

    /**
     * The FOR_UPDATE_GROUPED benchmark peer: the same groups, but no managed lock; each statement takes
     * PostgreSQL row locks itself ({@link StockRegister#addUnderLock} without a token).
     */
    private boolean rowLocks() {
        return policy.global() == LockMode.FOR_UPDATE_GROUPED;
    }

    /** Managed locks on {@code rows}, or none for the row-lock peer. */
    private LockHold hold(String label, Set<StockKey> rows, Duration timeout) {
        return rowLocks() ? LockHold.none() : locks.hold(label, rows, timeout);
    }

    /** Runs a group on a context of its own (a group's Hibernate Reactive session is its own). */
    private void start(List<Pending> group) {
        Context base = group.get(0).context != null ? group.get(0).context : vertx.getOrCreateContext();
        Context own = VertxContext.createNewDuplicatedContext(base);
        VertxContextSafetyToggle.setContextSafe(own, true);
        own.runOnContext(v -> {
            long now = System.nanoTime();
            group.forEach(p -> metrics.groupWait(now - p.arrived));
            metrics.group(group.size());
            Uni<Void> work;
            try {
                work = group.size() == 1 ? alone(group.get(0)) : together(group);
            } catch (RuntimeException e) {
                work = Uni.createFrom().failure(e);
            }
            work.subscribe().with(done -> groups.done(group), e -> {
                group.forEach(p -> p.answer(null, e));
                groups.done(group);
            });
        });
    }

    /** A document's lock wait counts from its arrival: what its oldest document has left of it. */
    private Duration lockWaitLeft(List<Pending> group) {
        long oldest = group.stream().mapToLong(p -> p.arrived).min().orElseThrow();
        return lockWaitLeft(config.lockWaitTimeout(), oldest, System.nanoTime());
    }

    /** {@code timeout} less the time since {@code arrived}, never below 0 (lock-service: do not wait). */
    static Duration lockWaitLeft(Duration timeout, long arrived, long now) {
        Duration left = timeout.minusNanos(now - arrived);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private Uni<Void> alone(Pending p) {
        if (p.gone) {
            return Uni.createFrom().voidItem();
        }
        LockHold locking = hold(p.job.doc().label(), p.rows, lockWaitLeft(List.of(p)));
        // answered once written (or refused): the end of the lock transaction need not delay the answer
        return oneStatement(p.d, p.writes, p.permit, locking)
                .onItemOrFailure()
                .invoke(p::answer)
                .onItemOrFailure()
                .call((outcomes, failure) -> locking.release())
                .replaceWithVoid()
                .onFailure()
                .recoverWithNull();
    }

    /**
     * Postings that share Stock rows, as one: one lock transaction on all their rows, one statement
     * with all their writes. If it writes nothing (a shortage, a twin Idempotency-Key, a lost lock),
     * each is sent alone under the same lock, in arrival order, and gets its own answer.
     */
    private Uni<Void> together(List<Pending> group) {
        Set<StockKey> rows = new TreeSet<>();
        group.forEach(p -> rows.addAll(p.rows));
        LockHold locking = hold("posting group of " + group.size(), rows, lockWaitLeft(group));
        return locking.token()
                .chain(token -> {
                    List<Pending> live = new ArrayList<>();
                    for (Pending p : group) {
                        try {
                            check(p.permit);
                            if (!p.gone) {
                                live.add(p);
                            }
                        } catch (RuntimeException e) {
                            p.answer(null, e);
                        }
                    }
                    if (live.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    PostingPlan all =
                            PostingPlan.decide(live.stream().map(p -> p.job).toList(), Map.of(), null);
                    Writes w = all.writes(config.salesSplits());
                    live.stream()
                            .filter(p -> p.idem != null)
                            .forEach(p -> keys.addKeyAndAnswer(w, p.idem, p.d.answer()));
                    StockRegister.addUnderLock(w, all.stockChange(), token);
                    if (w.parameters() > Writes.MAX_ONE_STATEMENT_PARAMETERS) {
                        return oneByOne(live, token);
                    }
                    return Panache.withSession(() -> Panache.getSession().chain(w::runAsOne))
                            .invoke(() -> live.forEach(p -> p.answer(p.d.outcomes(), null)))
                            .onFailure(GroupedPosting::mayHaveCommitted)
                            .invoke(e -> {
                                // it may have committed: sending each again alone could answer "not written" wrongly
                                HttpProblem unknown = DatabaseOutage.outcomeUnknown(e);
                                live.forEach(p -> p.answer(null, unknown));
                            })
                            .onFailure(e -> !mayHaveCommitted(e))
                            .recoverWithUni(e -> oneByOne(live, token))
                            .onFailure()
                            .recoverWithNull();
                })
                .call(locking::release)
                .onFailure()
                .call(locking::release);
    }

    /** The connection died under the statement, which may have committed (not when it had ended before). */
    private static boolean mayHaveCommitted(Throwable e) {
        return DatabaseOutage.connectionLost(e) && !DatabaseOutage.endedBeforeItRan(e);
    }

    /** {@code token}: the managed lock's fencing token, null for the row-lock peer. */
    private Uni<Void> oneByOne(List<Pending> postings, Long token) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Pending p : postings) {
            chain = chain.chain(() -> {
                StockRegister.addUnderLock(p.writes, p.d.stockChange(), token);
                return send(p.d, p.writes, token, 1)
                        .onItemOrFailure()
                        .invoke(p::answer)
                        .replaceWithVoid()
                        .onFailure()
                        .recoverWithNull();
            });
        }
        return chain;
    }

    private Uni<List<DocumentOutcome>> oneStatement(PostingPlan d, Writes w, WritePermit permit, LockHold locking) {
        return locking.token().chain(token -> {
            check(permit); // after the lock wait: a write the drain timeout aborted must not start
            StockRegister.addUnderLock(w, d.stockChange(), token);
            return send(d, w, token, 1);
        });
    }

    private Uni<List<DocumentOutcome>> send(PostingPlan d, Writes w, Long token, int attempt) {
        return FreshConnection.statement(
                        () -> Panache.withSession(() -> Panache.getSession().chain(w::runAsOne)))
                .replaceWith(d.outcomes())
                .onFailure()
                .recoverWithUni(e -> notWritten(e, d, w, token, attempt));
    }

    /** Why the one statement wrote nothing: a shortage (422), a lost lock (409), a twin, or a race to retry. */
    private Uni<List<DocumentOutcome>> notWritten(Throwable e, PostingPlan d, Writes w, Long token, int attempt) {
        if (IdempotencyKeys.twin(e)) {
            return Uni.createFrom().failure(new IdempotencyKeys.Race());
        }
        if (!StockRegister.leftAlone(e) && !Db.retryable(e)) {
            return Uni.createFrom().failure(PostingProblems.ofSql(e, guard));
        }
        return Panache.withSession(() -> Panache.getSession()
                        .chain(s -> StockRegister.current(s, d.stockChange().keySet(), token)))
                .chain(current -> {
                    List<Shortage> shortages = BalanceRule.shortages(current.balances(), d.stockChange());
                    if (!shortages.isEmpty()) {
                        metrics.balanceRejection();
                        return Uni.createFrom().failure(PostingProblems.insufficientStock(shortages));
                    }
                    if (current.fenced()) {
                        return Uni.createFrom().failure(PostingProblems.lockLost(token));
                    }
                    // a row written meanwhile by a writer outside managed locks: once more
                    if (attempt >= ONE_STATEMENT_ATTEMPTS) {
                        return Uni.createFrom().failure(PostingProblems.tooMuchContention(attempt));
                    }
                    metrics.retry();
                    return send(d, w, token, attempt + 1);
                });
    }

    private static void check(WritePermit permit) {
        if (permit != null) {
            permit.check(); // not written if the drain timeout aborted this write
        }
    }
}
