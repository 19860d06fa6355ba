package io.suite.backup.backups;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/**
 * The catalog in db {@code backup}. Uni methods for the REST layer; {@link #await} lets the backup worker
 * thread use them (Hibernate Reactive needs a Vert.x context, which the worker thread does not have).
 */
@ApplicationScoped
public class BackupCatalog {
    static final String ACTIVE_INDEX = "backup_one_active_job";
    private static final List<BackupStatus> ACTIVE =
            List.of(BackupStatus.WAITING_FOR_DRAIN, BackupStatus.RUNNING, BackupStatus.VERIFYING);

    public Uni<Backup> find(UUID id) {
        return Panache.withSession(() -> Backup.findById(id));
    }

    public Uni<List<Backup>> list(int limit) {
        return Panache.withSession(() ->
                Backup.<Backup>find("order by startedAt desc").page(0, limit).list());
    }

    /** The job running now (a backup, a re-verification or a restore), if any. */
    public Uni<Backup> activeJob() {
        return Panache.withSession(() -> Backup.<Backup>find("status in ?1 or restoreStatus = 'RUNNING'", ACTIVE)
                .firstResult());
    }

    /** Inserts; fails with {@link JobRunning} if another job holds the one-job slot (the unique index decides). */
    public Uni<Backup> insert(Backup backup) {
        return Panache.withTransaction(() -> backup.<Backup>persist().call(Panache::flush))
                .onFailure(BackupCatalog::isSlotTaken)
                .transform(e -> new JobRunning());
    }

    /** Changes one row in its own short transaction; the slot index may refuse (re-verify, restore). */
    public Uni<Backup> update(UUID id, Consumer<Backup> change) {
        return Panache.withTransaction(
                        () -> Backup.<Backup>findById(id).invoke(change).call(Panache::flush))
                .onFailure(BackupCatalog::isSlotTaken)
                .transform(e -> new JobRunning());
    }

    public Uni<Integer> heartbeat(UUID id) {
        return Panache.withTransaction(() -> Backup.update("heartbeatAt = ?1 where id = ?2", Instant.now(), id));
    }

    /** Jobs whose worker stopped beating (its replica died) are failed, which frees the slot. */
    public Uni<Integer> failStale(Instant beatBefore) {
        return Panache.withTransaction(() -> Backup.update(
                        "status = ?1, error = ?2, finishedAt = ?3, verified = false"
                                + " where status in ?4 and heartbeatAt < ?5",
                        BackupStatus.FAILED,
                        "interrupted: the backup-service instance running it stopped",
                        Instant.now(),
                        ACTIVE,
                        beatBefore)
                .flatMap(backups -> Backup.update(
                                "restoreStatus = 'FAILED', restoreError = ?1, restoreFinishedAt = ?2"
                                        + " where restoreStatus = 'RUNNING' and heartbeatAt < ?3",
                                "interrupted: the backup-service instance running it stopped",
                                Instant.now(),
                                beatBefore)
                        .map(restores -> backups + restores)));
    }

    public Uni<Backup> lastSuccess() {
        return Panache.withSession(
                () -> Backup.<Backup>find("status = ?1 order by finishedAt desc", BackupStatus.SUCCEEDED)
                        .firstResult());
    }

    public Uni<List<Backup>> finished() {
        return Panache.withSession(() -> Backup.<Backup>find(
                        "status in ?1 and restoreStatus is distinct from 'RUNNING'" + " order by startedAt desc",
                        List.of(BackupStatus.SUCCEEDED, BackupStatus.FAILED))
                .list());
    }

    public Uni<Long> delete(UUID id) {
        return Panache.withTransaction(() ->
                Backup.delete("id = ?1 and status in ?2", id, List.of(BackupStatus.SUCCEEDED, BackupStatus.FAILED)));
    }

    /** For the worker thread only. */
    public static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isSlotTaken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(ACTIVE_INDEX)) {
                return true;
            }
        }
        return false;
    }

    /** Another backup, verification or restore runs now. */
    public static class JobRunning extends RuntimeException {
        public JobRunning() {
            super("another backup, verification or restore is running");
        }
    }
}
