package io.suite.posting.runs;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.suite.posting.DatabaseOutage;
import io.suite.posting.Db;
import io.suite.posting.PostingConfig;
import io.suite.posting.PostingMetrics;
import io.suite.posting.PostingProblems;
import io.suite.posting.documents.DocumentOutcome;
import io.suite.posting.documents.PostingEngine;
import io.suite.posting.documents.PostingJob;
import io.suite.posting.locking.Escalation;
import io.suite.posting.locking.LockPolicy;
import io.suite.posting.locking.LockRequestTooLarge;
import io.suite.posting.model.Document;
import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.registers.Movements;
import io.suite.problems.ProblemTypes;
import io.suite.writeguard.ReadOnlyException;
import io.suite.writeguard.WriteGuard;

/**
 * Posting runs: every DRAFT document, partitioned by the (source) warehouse of its first line,
 * each partition in date/number order, partitions in parallel, at most batchSize documents per
 * transaction. Documents refused for insufficient stock get one more try at the end of the run,
 * one by one in global date/number order (their stock may come from another partition, e.g. a
 * transfer). The instance running it keeps its state and saves it to {@code posting_runs} after every
 * batch and at its end, so any replica answers for it; an end refused by maintenance is saved once
 * writes are allowed again. While it runs, its instance (the row's {@code owner}) beats the row's
 * heartbeat; the other replicas report a RUNNING row whose heartbeat stopped as ABANDONED
 * ({@link RunLiveness}). Its documents are safe: each is posted at most once (its row is locked and its
 * status read in the posting's transaction), so a new run simply posts the DRAFTs it left.
 */
@ApplicationScoped
public class PostingRuns {
    private static final Logger LOG = Logger.getLogger(PostingRuns.class);

    private final PostingEngine engine;
    private final LockPolicy policy;
    private final WriteGuard guard;
    private final PostingMetrics metrics;
    private final ObjectMapper json;
    private final PostingConfig config;

    PostingRuns(
            PostingEngine engine,
            LockPolicy policy,
            WriteGuard guard,
            PostingMetrics metrics,
            ObjectMapper json,
            PostingConfig config) {
        this.engine = engine;
        this.policy = policy;
        this.guard = guard;
        this.metrics = metrics;
        this.json = json;
        this.config = config;
    }

    /** Since when this replica admits writes (null while it refuses them): heartbeats are judged over that time only. */
    private volatile Instant writableSince;

    /** the runs of this instance that are running, or ended but not saved yet */
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    public static final class Run {
        final String id = UUID.randomUUID().toString();
        final Instant startedAt = Instant.now();
        final String owner;
        /** the principal of the token that started it */
        final String startedBy;

        volatile Instant heartbeatAt = startedAt;
        volatile Instant finishedAt;
        volatile String status = "RUNNING";
        final AtomicInteger posted = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Map<UUID, Map<String, Object>> failures = Collections.synchronizedMap(new LinkedHashMap<>());
        /** lock requests of this run that lock-service escalated, and the distinct covers they became */
        final AtomicInteger escalations = new AtomicInteger();

        final Set<Escalation> escalated = Collections.synchronizedSet(new LinkedHashSet<>());

        Run(String owner, String startedBy) {
            this.owner = owner;
            this.startedBy = startedBy;
        }

        void escalated(List<Escalation> covers) {
            escalations.incrementAndGet();
            escalated.addAll(covers);
        }

        public Map<String, Object> view() {
            List<Object> f;
            synchronized (failures) {
                f = new ArrayList<>(failures.values());
            }
            List<Object> e;
            synchronized (escalated) {
                e = escalated.stream().map(c -> (Object) c.view()).toList();
            }
            return PostingRuns.view(
                    id,
                    status,
                    posted.get(),
                    failed.get(),
                    f,
                    escalations.get(),
                    e,
                    startedAt,
                    finishedAt,
                    owner,
                    heartbeatAt,
                    startedBy);
        }
    }

    /** GET /v1/posting-runs/{id}, from memory or from posting_runs. */
    static Map<String, Object> view(
            String id,
            Object status,
            Object posted,
            Object failed,
            List<Object> failures,
            Object escalations,
            List<Object> escalated,
            Instant startedAt,
            Instant finishedAt,
            String owner,
            Instant heartbeatAt,
            String startedBy) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("status", status);
        v.put("posted", posted);
        v.put("failed", failed);
        v.put("failures", failures);
        v.put("escalations", escalations);
        v.put("escalated", escalated);
        v.put("startedAt", startedAt.toString());
        v.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
        v.put("owner", owner);
        v.put("heartbeatAt", heartbeatAt == null ? null : heartbeatAt.toString());
        v.put("startedBy", startedBy);
        return v;
    }

    /** Starts a run for {@code startedBy} (the caller's principal). */
    public Run start(int parallelism, int batchSize, String startedBy) {
        guard.checkWritable();
        Run run = new Run(guard.instanceId(), startedBy);
        try {
            VertxContextSupport.subscribeAndAwait(() -> guard.write(permit -> save(run)));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        runs.put(run.id, run);
        Thread t = new Thread(() -> execute(run, parallelism, batchSize), "posting-run-" + run.id.substring(0, 8));
        t.setDaemon(true);
        t.start();
        return run;
    }

    /** The run's view: from this instance while it runs here, else as saved by whichever ran it. */
    public Uni<Optional<Map<String, Object>>> find(String id) {
        Run here = runs.get(id);
        if (here != null) {
            return Uni.createFrom().item(Optional.of(here.view()));
        }
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(Optional.empty());
        }
        return stored(uuid);
    }

    /** The run as saved in posting_runs, as any replica sees it (ABANDONED once its heartbeat stopped). */
    public Uni<Optional<Map<String, Object>>> stored(UUID id) {
        // the heartbeat's age by the database's clock, which also wrote it: no skew between replicas
        return Panache.withSession(() -> Panache.getSession()
                        .chain(s -> Db.rows(
                                s,
                                "SELECT status, posted, failed, failures,"
                                        + " started_at, finished_at, owner, heartbeat_at, (extract(epoch FROM now() - heartbeat_at) * 1000)::bigint,"
                                        + " escalations, escalated, started_by"
                                        + " FROM posting_runs WHERE id = ?1",
                                List.of(id))))
                .map(rows -> {
                    if (rows.isEmpty()) {
                        return Optional.empty();
                    }
                    Object[] r = rows.get(0);
                    String status = RunLiveness.status(
                            (String) r[0],
                            Duration.ofMillis(((Number) r[8]).longValue()),
                            config.runAbandonedAfter(),
                            writableFor());
                    return Optional.of(view(
                            id.toString(),
                            status,
                            r[1],
                            r[2],
                            parse((String) r[3]),
                            r[9],
                            parse((String) r[10]),
                            instant(r[4]),
                            r[5] == null ? null : instant(r[5]),
                            (String) r[6],
                            instant(r[7]),
                            (String) r[11]));
                });
    }

    private Duration writableFor() {
        Instant since = writableSince;
        return since == null || guard.refusesWrites() ? Duration.ZERO : Duration.between(since, Instant.now());
    }

    /**
     * Beats the heartbeat of the runs running here (a write: refused while read-only, when every run
     * stops anyway), and notes since when this replica admits writes.
     */
    @Scheduled(every = "${posting.run-heartbeat-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        if (guard.refusesWrites()) {
            writableSince = null;
            return;
        }
        if (writableSince == null) {
            writableSince = Instant.now();
        }
        List<UUID> running = runs.values().stream()
                .filter(r -> r.finishedAt == null)
                .map(r -> UUID.fromString(r.id))
                .toList();
        if (running.isEmpty()) {
            return;
        }
        try {
            VertxContextSupport.subscribeAndAwait(() ->
                    guard.write(permit -> Panache.withTransaction(() -> Panache.getSession()
                            .chain(s -> Db.update(
                                    s,
                                    "UPDATE posting_runs SET heartbeat_at = now() WHERE status = 'RUNNING' AND id IN "
                                            + Db.tuples(1, running.size(), 1),
                                    running)))));
            Instant now = Instant.now();
            runs.values().stream()
                    .filter(r -> running.contains(UUID.fromString(r.id)))
                    .forEach(r -> r.heartbeatAt = now);
        } catch (Throwable e) {
            LOG.debugf("posting runs' heartbeat not beaten now: %s", e.toString());
        }
    }

    /** Saves the run's state as it is now (a write: call it under a write permit). */
    private Uni<Void> save(Run run) {
        Map<String, Object> v = run.view();
        String failures;
        String escalated;
        try {
            failures = json.writeValueAsString(v.get("failures"));
            escalated = json.writeValueAsString(v.get("escalated"));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        List<Object> p = new ArrayList<>(List.of(
                UUID.fromString(run.id),
                v.get("status"),
                v.get("posted"),
                v.get("failed"),
                failures,
                run.startedAt.atOffset(ZoneOffset.UTC)));
        p.add(run.finishedAt == null ? null : run.finishedAt.atOffset(ZoneOffset.UTC));
        p.add(run.owner);
        p.add(v.get("escalations"));
        p.add(escalated);
        p.add(run.startedBy);
        return Panache.withTransaction(() -> Panache.getSession()
                        .chain(s -> Db.update(
                                s,
                                "INSERT INTO posting_runs"
                                        + " (id, status, posted, failed, failures, started_at, finished_at, owner, heartbeat_at, escalations, escalated, started_by)"
                                        + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, now(), ?9, ?10, ?11)"
                                        + " ON CONFLICT (id) DO UPDATE SET status = excluded.status, posted = excluded.posted, failed = excluded.failed,"
                                        + " failures = excluded.failures, finished_at = excluded.finished_at, heartbeat_at = now(),"
                                        + " escalations = excluded.escalations, escalated = excluded.escalated",
                                p)))
                .invoke(() -> run.heartbeatAt = Instant.now())
                .replaceWithVoid();
    }

    /** Saves progress; a refusal (maintenance) or failure only delays it to the next save. */
    private boolean trySave(Run run) {
        try {
            VertxContextSupport.subscribeAndAwait(() -> guard.write(permit -> save(run)));
            return true;
        } catch (Throwable e) {
            LOG.debugf("posting run %s not saved now: %s", run.id, e.toString());
            return false;
        }
    }

    /** Ended runs whose end could not be saved (writes were refused): saved once writes are allowed. */
    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void saveEnded() {
        for (Run run : runs.values()) {
            if (run.finishedAt != null && !guard.refusesWrites() && trySave(run)) {
                runs.remove(run.id);
            }
        }
    }

    private List<Object> parse(String failures) {
        try {
            return json.readValue(failures, new TypeReference<List<Object>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime o
                ? o.toInstant()
                : timestamp instanceof LocalDateTime l ? l.toInstant(ZoneOffset.UTC) : (Instant) timestamp;
    }

    private void execute(Run run, int parallelism, int batchSize) {
        try {
            List<DocumentData> drafts = VertxContextSupport.subscribeAndAwait(
                            () -> Panache.withSession(() -> Document.withStatus(DocumentStatus.DRAFT)))
                    .stream()
                    .map(Document::data)
                    .toList();
            Map<String, List<DocumentData>> partitions = new LinkedHashMap<>();
            drafts.forEach(d -> partitions
                    .computeIfAbsent(d.partition(), k -> new ArrayList<>())
                    .add(d));
            ConcurrentLinkedQueue<List<DocumentData>> queue = new ConcurrentLinkedQueue<>(partitions.values());
            List<DocumentData> retry = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, partitions.size())));
            for (int i = 0; i < parallelism; i++) {
                pool.execute(() -> {
                    List<DocumentData> partition;
                    while (!stop.get() && (partition = queue.poll()) != null) {
                        postPartition(run, partition, batchSize, retry, stop);
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.DAYS);
            // second chance, in global order, for documents whose stock may have come from another partition
            List<DocumentData> again = new ArrayList<>(retry);
            again.sort((a, b) -> a.date().equals(b.date())
                    ? a.number().compareTo(b.number())
                    : a.date().compareTo(b.date()));
            for (DocumentData d : again) {
                if (stop.get()) {
                    break;
                }
                if (post(run, List.of(d), null, stop) == 1) {
                    run.failures.remove(d.id());
                    run.failed.decrementAndGet();
                }
            }
        } catch (Throwable e) {
            LOG.errorf(e, "posting run %s failed", run.id);
            run.failures.put(new UUID(0, 0), Map.of("reason", "run failed: " + e));
        } finally {
            run.finishedAt = Instant.now();
            run.status = "DONE";
            if (trySave(run)) {
                runs.remove(run.id);
            }
        }
    }

    private void postPartition(
            Run run, List<DocumentData> partition, int batchSize, List<DocumentData> retry, AtomicBoolean stop) {
        // a batch holds documents of one lock plan (AUTOMATIC_AND_MANAGED may differ per type), and no more
        // Stock rows than lock-service escalates at
        for (List<DocumentData> batch : RunBatches.of(
                partition, batchSize, config.lockEscalationThreshold(), Movements::rows, d -> policy.plan(d.type()))) {
            if (stop.get()) {
                return;
            }
            post(run, batch, retry, stop);
            trySave(run);
        }
    }

    /**
     * Posts one batch in one transaction; returns how many were posted. A batch lock-service refuses as too
     * large is posted as two halves.
     */
    private int post(Run run, List<DocumentData> batch, List<DocumentData> retry, AtomicBoolean stop) {
        List<PostingJob> jobs = batch.stream()
                .map(d -> new PostingJob(d, false, PostingJob.Op.POST, false))
                .toList();
        try {
            List<DocumentOutcome> outcomes = VertxContextSupport.subscribeAndAwait(() -> guard.write(
                    permit -> engine.run(jobs, false, null, permit, covers -> escalated(run, batch, covers))));
            int posted = 0;
            for (DocumentOutcome o : outcomes) {
                switch (o.outcome()) {
                    case POSTED -> {
                        posted++;
                        run.posted.incrementAndGet();
                        metrics.document(o.doc().type(), "posted");
                    }
                    case REJECTED -> {
                        metrics.document(o.doc().type(), "rejected");
                        if (retry != null) {
                            retry.add(o.doc());
                            fail(run, o.doc(), "insufficient-stock", o.shortages());
                        }
                    }
                    default -> {
                        // skipped: posted meanwhile by someone else, or deleted
                    }
                }
            }
            return posted;
        } catch (Throwable failure) {
            if (tooLarge(failure) && batch.size() > 1) {
                metrics.batchSplit();
                int half = batch.size() / 2;
                LOG.infof(
                        "posting run %s: lock-service refused the rows of %d documents in one request: split in two",
                        run.id, batch.size());
                return post(run, batch.subList(0, half), retry, stop)
                        + post(run, batch.subList(half, batch.size()), retry, stop);
            }
            // PostgreSQL gone: reported as the API would answer it (outcome-unknown: the batch's one transaction
            // may have committed, then its documents are POSTED; else they are still DRAFT for the next run)
            Throwable e = DatabaseOutage.unreachable(failure)
                    ? DatabaseOutage.unavailable(failure)
                    : DatabaseOutage.ofWrite(failure);
            String reason = e instanceof HttpProblem p && p.getType() != null
                    ? p.getType().toString().replace(ProblemTypes.BASE, "")
                    : e.getClass().getSimpleName();
            if (e instanceof ReadOnlyException) {
                stop.set(true);
            }
            for (DocumentData d : batch) {
                metrics.document(d.type(), "failed");
                if (retry != null) {
                    fail(run, d, reason, List.of());
                }
            }
            return 0;
        }
    }

    /**
     * lock-service escalated a batch's lock request. A batch of several documents stays within posting's
     * threshold, so lock-service's must be lower: the two are out of step (said once per run).
     */
    private void escalated(Run run, List<DocumentData> batch, List<Escalation> covers) {
        if (run.escalations.get() == 0 && batch.size() > 1) {
            LOG.warnf(
                    "posting run %s: lock-service escalated a batch of %d documents within posting.lock-escalation-threshold"
                            + " (%d rows): its lock.escalation-threshold is lower; set LOCK_ESCALATION_THRESHOLD for both services",
                    run.id, batch.size(), config.lockEscalationThreshold());
        }
        run.escalated(covers);
    }

    private static boolean tooLarge(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof LockRequestTooLarge) {
                return true;
            }
        }
        return false;
    }

    private static void fail(Run run, DocumentData d, String reason, Object shortages) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("documentId", d.id().toString());
        f.put("number", d.number());
        f.put("reason", reason);
        f.put("shortages", shortages);
        if (run.failures.put(d.id(), f) == null) {
            run.failed.incrementAndGet();
        }
    }

    static HttpProblem notFound(String id) {
        return PostingProblems.noRun(id);
    }
}
