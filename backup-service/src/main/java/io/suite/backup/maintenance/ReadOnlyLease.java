package io.suite.backup.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.suite.backup.BackupConfig;

/**
 * A backup's hold on read-only mode: asked of maintenance-service with a lease (durationMs) that this
 * class renews while the backup works. If this process dies, renewals stop and maintenance-service ends
 * read-only by itself when the lease runs out: nothing stays stuck. Only a hold this process took is
 * ever lifted. Blocking methods: for the backup worker thread.
 */
@ApplicationScoped
public class ReadOnlyLease {
    private static final Logger LOG = Logger.getLogger(ReadOnlyLease.class);
    private static final Duration CALL = Duration.ofSeconds(15);

    private final MaintenanceClient client;
    private final BackupConfig.ReadOnly config;
    private final AtomicReference<Hold> held = new AtomicReference<>();

    /**
     * A backup's hold on read-only epoch {@code epoch}: set by it ({@code setByUs}, lifted at the end) or
     * joined (someone else's read-only, e.g. an upgrade window: only the hold is released at the end, and
     * renewals never shorten that window: they extend to {@code keepUntil} at least).
     */
    public record Hold(
            UUID backupId,
            String reason,
            String holder,
            long epoch,
            long sinceNanos,
            boolean setByUs,
            Instant keepUntil) {}

    ReadOnlyLease(@RestClient MaintenanceClient client, BackupConfig config) {
        this.client = client;
        this.config = config.readOnly();
    }

    public MaintenanceState state() {
        return client.state().await().atMost(CALL);
    }

    /**
     * Holds read-only for this backup's job ({@code reason}: why, as the history shows it). From READ_WRITE
     * this flips it (a new epoch, set by us); on a system already read-only ({@code current}) the same request
     * only takes the hold, so an operator cannot lift read-only under a running dump or restore without
     * forcing it.
     */
    public Hold acquire(UUID backupId, String reason, MaintenanceState current) {
        String holder = holder(backupId);
        Instant keepUntil =
                current.readOnly() && current.expiresAt() != null ? Instant.parse(current.expiresAt()) : null;
        long since = System.nanoTime();
        MaintenanceState state = client.readOnly(new MaintenanceClient.ReadOnlyRequest(
                        reason, leaseMs(keepUntil), config.writeDrainTimeout().toMillis(), holder))
                .await()
                .atMost(CALL);
        // Not read-only before, or another epoch now (it was lifted meanwhile): this request flipped it.
        boolean setByUs = !current.readOnly() || !Objects.equals(state.epoch(), current.epoch());
        Hold hold = new Hold(backupId, reason, holder, state.epoch(), since, setByUs, setByUs ? null : keepUntil);
        held.set(hold);
        return hold;
    }

    /** The lease asked for: ours, but never shorter than a read-only window we joined. */
    private long leaseMs(Instant keepUntil) {
        long lease = config.lease().toMillis();
        return keepUntil == null
                ? lease
                : Math.max(lease, Duration.between(Instant.now(), keepUntil).toMillis());
    }

    /**
     * Polls until every write path has drained for {@code epoch}. Fails if the wait runs out, or if the
     * system left that epoch meanwhile (lifted by someone, or a newer flip).
     */
    public MaintenanceState awaitDrained(long epoch) throws InterruptedException {
        long deadline = System.nanoTime() + config.drainWait().toNanos();
        while (true) {
            MaintenanceState state = state();
            if (!state.readOnly() || state.epoch() == null || state.epoch() != epoch) {
                throw new IllegalStateException(
                        "the system left read-only epoch " + epoch + " while waiting for DRAINED: " + state.describe());
            }
            if (state.drained()) {
                return state;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "write paths did not drain within " + config.drainWait() + " (" + state.describe() + ")");
            }
            Thread.sleep(200);
        }
    }

    /** Renews the lease of the epoch a backup set, while it holds it. */
    @Scheduled(every = "${backup.heartbeat-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renew() {
        Hold hold = held.get();
        if (hold == null) {
            return;
        }
        try {
            client.renew(new MaintenanceClient.RenewRequest(leaseMs(hold.keepUntil()), hold.epoch(), hold.holder()))
                    .await()
                    .atMost(CALL);
        } catch (RuntimeException e) {
            // 409 once the epoch is gone: the backup's check after the dump fails it.
            LOG.warnf("could not renew read-only for backup %s: %s", hold.backupId(), e.getMessage());
        }
    }

    /**
     * Ends the hold: lifts read-only if this backup set it and it is still that epoch (a later read-only is
     * left alone); only releases the hold if it joined someone else's. Returns how long the system was
     * read-only because of us, or -1 if we did not set it.
     */
    public long release(String why) {
        Hold hold = held.getAndSet(null);
        if (hold == null) {
            return -1;
        }
        if (!hold.setByUs()) {
            try {
                client.release(new MaintenanceClient.ReleaseRequest(hold.holder()))
                        .await()
                        .atMost(CALL);
            } catch (RuntimeException e) {
                LOG.warnf(
                        "could not release the hold of backup %s (it ends with the lease): %s",
                        hold.backupId(), e.getMessage());
            }
            return -1;
        }
        long windowMs = Duration.ofNanos(System.nanoTime() - hold.sinceNanos()).toMillis();
        try {
            MaintenanceState state = state();
            if (state.readOnly() && state.epoch() != null && state.epoch() == hold.epoch()) {
                client.readWrite(new MaintenanceClient.ReadWriteRequest(why, false, hold.holder()))
                        .await()
                        .atMost(CALL);
            } else {
                LOG.infof(
                        "not lifting read-only for backup %s: the system is now %s", hold.backupId(), state.describe());
            }
        } catch (RuntimeException e) {
            // The lease is no longer renewed: read-only ends by itself when it runs out.
            LOG.errorf(
                    "could not lift read-only for backup %s (it ends with its lease): %s",
                    hold.backupId(), e.getMessage());
        }
        return windowMs;
    }

    public boolean holding() {
        return held.get() != null;
    }

    static String holder(UUID backupId) {
        return "backup:" + backupId;
    }
}
