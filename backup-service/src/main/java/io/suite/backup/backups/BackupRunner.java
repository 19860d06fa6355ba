package io.suite.backup.backups;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.suite.backup.BackupConfig;
import io.suite.backup.dumps.Artifact;
import io.suite.backup.dumps.Dumper;
import io.suite.backup.dumps.Manifest;
import io.suite.backup.dumps.PgTools;
import io.suite.backup.dumps.Snapshots;
import io.suite.backup.dumps.Verifier;
import io.suite.backup.maintenance.MaintenanceState;
import io.suite.backup.maintenance.ReadOnlyLease;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import static io.suite.backup.backups.BackupCatalog.await;

/**
 * Runs backup jobs on one dedicated Vert.x worker thread (pg_dump, pg_restore and the waits block; the event
 * loop never does): the backup itself, re-verification, restore. The catalog row of the job in hand gets a
 * heartbeat so another replica can tell a dead job from a running one.
 */
@ApplicationScoped
public class BackupRunner {
    private static final Logger LOG = Logger.getLogger(BackupRunner.class);
    private static final TypeReference<List<Artifact>> ARTIFACTS = new TypeReference<>() {};

    private final BackupConfig config;
    private final BackupCatalog catalog;
    private final ReadOnlyLease lease;
    private final Dumper dumper;
    private final Verifier verifier;
    private final PgTools tools;
    private final BackupEvents events;
    private final BackupMetrics metrics;
    private final ObjectMapper json;
    private final WorkerExecutor worker;
    private final AtomicReference<UUID> current = new AtomicReference<>();

    BackupRunner(
            BackupConfig config,
            BackupCatalog catalog,
            ReadOnlyLease lease,
            Dumper dumper,
            Verifier verifier,
            PgTools tools,
            BackupEvents events,
            BackupMetrics metrics,
            ObjectMapper json,
            Vertx vertx) {
        this.config = config;
        this.catalog = catalog;
        this.lease = lease;
        this.dumper = dumper;
        this.verifier = verifier;
        this.tools = tools;
        this.events = events;
        this.metrics = metrics;
        this.json = json;
        this.worker = vertx.createSharedWorkerExecutor("backup-worker", 1, 12, TimeUnit.HOURS);
    }

    void stop(@Observes ShutdownEvent event) {
        worker.close();
    }

    /** Starts a backup whose catalog row was just inserted. */
    public void startBackup(Backup backup) {
        submit(backup.id, () -> runBackup(backup.id, backup.mode, backup.label, backup.startedAt));
    }

    public void startVerification(UUID id) {
        submit(id, () -> runVerification(id));
    }

    public void startRestore(UUID id, List<String> databases) {
        submit(id, () -> runRestore(id, databases));
    }

    private void submit(UUID id, Runnable job) {
        worker.executeBlocking(
                () -> {
                    current.set(id);
                    try {
                        job.run();
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "job for backup %s failed unexpectedly", id);
                    } finally {
                        current.set(null);
                    }
                    return null;
                },
                false);
    }

    private void runBackup(UUID id, MaintenanceMode mode, String label, Instant requestedAt) {
        long start = System.nanoTime();
        Backup started = await(() -> catalog.find(id));
        events.publish(BackupEvents.Type.STARTED, started);
        try {
            MaintenanceState state = lease.state();
            if (mode == MaintenanceMode.REQUIRE && !state.drained()) {
                throw new IllegalStateException("the system is not DRAINED any more: " + state.describe());
            }
            ReadOnlyLease.Hold hold = lease.acquire(id, "backup " + id + " \"" + label + "\"", state);
            long epoch = hold.epoch();
            if (mode == MaintenanceMode.REQUIRE && hold.setByUs()) {
                throw new IllegalStateException("read-only ended before the backup could hold it");
            }
            await(() -> catalog.update(id, b -> {
                b.setReadOnly = hold.setByUs();
                b.epoch = hold.epoch();
            }));
            long drainStart = System.nanoTime();
            Manifest.Maintenance drained = seen(lease.awaitDrained(epoch));
            long drainMs = millisSince(drainStart);
            await(() -> catalog.update(id, b -> {
                b.status = BackupStatus.RUNNING;
                b.epoch = epoch;
                b.drainMs = drainMs;
            }));

            // require: the operator wants read-only to last through the dump; auto: the snapshots are the backup
            boolean holdThroughDump = mode == MaintenanceMode.REQUIRE
                    || config.readOnly().holdDuringDump()
                    || config.readOnly().holdDuringVerify();
            Dumper.Result dumped;
            try (Snapshots snapshots = dumper.snapshots()) {
                Dumper.Window window = new Dumper.Window(epoch, drained, seen(stillDrained(epoch, "the snapshots")));
                if (!holdThroughDump) {
                    liftReadOnly(id, "backup " + id + ": snapshots taken while drained");
                }
                dumped = dumper.dump(
                        id,
                        label,
                        window,
                        snapshots,
                        holdThroughDump ? () -> seen(stillDrained(epoch, "the dump")) : null);
            }
            if (!config.readOnly().holdDuringVerify()) {
                liftReadOnly(id, "backup " + id + " dumped");
            }
            String artifacts = toJson(dumped.artifacts());
            await(() -> catalog.update(id, b -> {
                b.status = BackupStatus.VERIFYING;
                b.folder = dumped.folder();
                b.artifacts = artifacts;
                b.dumpMs = dumped.dumpMs();
                b.totalBytes = dumped.totalBytes();
            }));

            long verifyStart = System.nanoTime();
            verifier.verify(config.directory(), dumped.artifacts(), dumped.manifest());
            long verifyMs = millisSince(verifyStart);
            liftReadOnly(id, "backup " + id + " verified");
            Backup done = await(() -> catalog.update(id, b -> {
                b.status = BackupStatus.SUCCEEDED;
                b.verified = true;
                b.verifyMs = verifyMs;
                b.finishedAt = Instant.now();
            }));
            metrics.succeeded(done);
            metrics.finished(Duration.ofNanos(System.nanoTime() - start), true);
            events.publish(BackupEvents.Type.VERIFIED, done);
            events.publish(BackupEvents.Type.SUCCEEDED, done);
            LOG.infof(
                    "backup %s \"%s\" succeeded: %d bytes, read-only %s ms, dump %d ms, verify %d ms",
                    id, label, done.totalBytes, done.readOnlyWindowMs, done.dumpMs, done.verifyMs);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Lifted also when the dump failed: a failed backup must not leave the system read-only.
            liftReadOnly(id, "backup " + id + " failed");
            Backup failed = await(() -> catalog.update(id, b -> {
                b.status = BackupStatus.FAILED;
                b.verified = false;
                b.error = message(e);
                b.finishedAt = Instant.now();
            }));
            metrics.finished(Duration.ofNanos(System.nanoTime() - start), false);
            events.publish(BackupEvents.Type.FAILED, failed);
            LOG.errorf("backup %s \"%s\" failed: %s", id, label, message(e));
        }
    }

    /** Ends the backup's hold: lifts read-only if it set it (and records the window), else only releases. */
    private void liftReadOnly(UUID id, String why) {
        if (!lease.holding()) {
            return;
        }
        long windowMs = lease.release(why);
        if (windowMs >= 0) {
            metrics.readOnlyWindow(windowMs);
            await(() -> catalog.update(id, b -> b.readOnlyWindowMs = windowMs));
        }
    }

    private void runVerification(UUID id) {
        Backup backup = await(() -> catalog.find(id));
        try {
            long start = System.nanoTime();
            verifier.verify(config.directory(), artifacts(backup), dumper.readManifest(backup.folder));
            long verifyMs = millisSince(start);
            Backup done = await(() -> catalog.update(id, b -> {
                b.status = BackupStatus.SUCCEEDED;
                b.verified = true;
                b.error = null;
                b.verifyMs = verifyMs;
            }));
            events.publish(BackupEvents.Type.VERIFIED, done);
        } catch (RuntimeException e) {
            Backup failed = await(() -> catalog.update(id, b -> {
                b.status = BackupStatus.FAILED;
                b.verified = false;
                b.error = "verification failed: " + message(e);
            }));
            metrics.finished(Duration.ZERO, false);
            events.publish(BackupEvents.Type.FAILED, failed);
        }
    }

    /**
     * Restores over the live databases while the system is DRAINED, holding read-only for the whole run
     * (joined with this backup's hold and renewed like a backup's, so neither its lease nor an operator's
     * read-write ends it underneath); every database is restored only if the system is still DRAINED in
     * that epoch.
     */
    private void runRestore(UUID id, List<String> databases) {
        Backup backup = await(() -> catalog.find(id));
        try {
            MaintenanceState state = lease.state();
            if (!state.drained()) {
                throw new IllegalStateException("a restore needs the system DRAINED; it is " + state.describe());
            }
            ReadOnlyLease.Hold hold =
                    lease.acquire(id, "restore from backup " + id + " \"" + backup.label + "\"", state);
            if (hold.setByUs()) {
                throw new IllegalStateException("read-only ended before the restore could hold it");
            }
            List<Artifact> artifacts = artifacts(backup);
            for (String database : databases) {
                Artifact artifact = artifacts.stream()
                        .filter(a -> a.database().equals(database))
                        .findFirst()
                        .orElseThrow();
                var file = config.directory().resolve(artifact.file());
                Verifier.checkFile(artifact, file);
                stillDrained(hold.epoch(), "the restore");
                tools.restoreOver(database, file);
                LOG.infof("restored %s from backup %s", database, id);
            }
            liftReadOnly(id, "restore from backup " + id + " done");
            Backup done = await(() -> catalog.update(id, b -> {
                b.restoreStatus = "SUCCEEDED";
                b.restoreError = null;
                b.restoreFinishedAt = Instant.now();
            }));
            events.publish(BackupEvents.Type.RESTORED, done);
        } catch (RuntimeException e) {
            liftReadOnly(id, "restore from backup " + id + " failed");
            Backup failed = await(() -> catalog.update(id, b -> {
                b.restoreStatus = "FAILED";
                b.restoreError = message(e);
                b.restoreFinishedAt = Instant.now();
            }));
            events.publish(BackupEvents.Type.RESTORED, failed);
            LOG.errorf("restore from backup %s failed: %s", id, message(e));
        }
    }

    /** The state, if the system is still DRAINED in {@code epoch}; else {@code what} fails. */
    private MaintenanceState stillDrained(long epoch, String what) {
        MaintenanceState state = lease.state();
        if (!state.drained() || state.epoch() == null || state.epoch() != epoch) {
            throw new IllegalStateException(
                    "the system left DRAINED epoch " + epoch + " during " + what + ": " + state.describe());
        }
        return state;
    }

    /** The maintenance state as the manifest records it, with the moment it was seen. */
    private static Manifest.Maintenance seen(MaintenanceState state) {
        return new Manifest.Maintenance(
                state.epoch(), state.mode(), state.phase(), Instant.now().toString(), state.fenced());
    }

    /** Beats the heartbeat of the job in hand, and fails jobs whose replica stopped beating. */
    @Scheduled(every = "${backup.heartbeat-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        UUID id = current.get();
        try {
            if (id != null) {
                await(() -> catalog.heartbeat(id));
            }
            await(() -> catalog.failStale(Instant.now().minus(config.staleAfter())));
        } catch (RuntimeException e) {
            LOG.warnf("heartbeat failed: %s", e.getMessage());
        }
    }

    public List<Artifact> artifacts(Backup backup) {
        if (backup.artifacts == null) {
            return List.of();
        }
        try {
            return json.readValue(backup.artifacts, ARTIFACTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable artifacts of backup " + backup.id, e);
        }
    }

    private String toJson(List<Artifact> artifacts) {
        try {
            return json.writeValueAsString(artifacts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
