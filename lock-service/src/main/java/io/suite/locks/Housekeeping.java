package io.suite.locks;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.suite.writeguard.MaintenanceStateChanged;
import io.suite.writeguard.WriteGuard;
import io.vertx.core.Vertx;

/**
 * Runs on every replica: the lease reaper (idempotent in Redis), the gauges, and the read-only
 * drain of lock transactions holding EXCLUSIVE items (the writes in flight of this write path).
 */
@ApplicationScoped
public class Housekeeping {
    private static final Logger LOG = Logger.getLogger(Housekeeping.class);

    private final LockService locks;
    private final WriteGuard guard;
    private final AtomicLong exclusiveInFlight = new AtomicLong();
    /** Changes of the maintenance state seen, and how many had been seen when the last count began. */
    private final AtomicLong stateChanges = new AtomicLong();

    private volatile long countedAtChange = -1;

    private final Vertx vertx;
    private final LockConfig config;
    private final AtomicBoolean counting = new AtomicBoolean();

    Housekeeping(LockService locks, WriteGuard guard, Vertx vertx, LockConfig config) {
        this.locks = locks;
        this.guard = guard;
        this.vertx = vertx;
        this.config = config;
    }

    void start(@Observes StartupEvent start) {
        guard.addInFlightSource("exclusive-lock-transactions", this::inFlight);
        // Quarkus' scheduler runs nothing more often than once a second: a Vert.x timer, idle unless draining
        vertx.setPeriodic(config.drainRecountInterval().toMillis(), id -> {
            if (guard.state().readOnly() && inFlight() > 0) {
                recount();
            }
        });
    }

    /** One count at a time: a tick that finds the last one still running skips. */
    private void recount() {
        if (counting.compareAndSet(false, true)) {
            gaugesAndDrain()
                    .onTermination()
                    .invoke(() -> counting.set(false))
                    .subscribe()
                    .with(v -> {}, e -> LOG.debug("drain recount failed", e));
        }
    }

    /**
     * Transactions holding EXCLUSIVE items, over all replicas. A count made before the last state
     * change may predate a grant made just before the flip: until a newer count, at least one.
     */
    long inFlight() {
        long n = exclusiveInFlight.get();
        return countedAtChange < stateChanges.get() ? Math.max(1, n) : n;
    }

    /** A flip: count again now rather than at the next tick (DRAINED waits for this count). */
    void onStateChange(@Observes MaintenanceStateChanged change) {
        stateChanges.incrementAndGet();
        gaugesAndDrain().subscribe().with(v -> {}, e -> LOG.debug("count after a state change failed", e));
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reap() {
        return locks.reap().onFailure().recoverWithItem(e -> {
            LOG.debugf("reap failed: %s", e.toString()); // Redis unreachable: the next tick tries again
            return null;
        });
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> gaugesAndDrain() {
        long changes = stateChanges.get();
        return locks.stats()
                .chain(s -> {
                    exclusiveInFlight.set(s.exclusiveTransactions());
                    countedAtChange = Math.max(countedAtChange, changes);
                    boolean overdue = guard.drainDeadline()
                            .map(d -> Instant.now().isAfter(d))
                            .orElse(false);
                    if (guard.state().readOnly() && overdue && s.exclusiveTransactions() > 0) {
                        return locks.drain().replaceWithVoid();
                    }
                    return Uni.createFrom().voidItem();
                })
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.debugf(
                            "lock gauges or drain failed: %s", e.toString()); // the in-flight count stays as last known
                    return null;
                });
    }
}
