package io.suite.locks;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.suite.writeguard.WriteGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs on every replica: the lease reaper (idempotent in Redis), the gauges, and the read-only
 * drain of lock transactions holding EXCLUSIVE locks (the writes in flight of this write path).
 */
@ApplicationScoped
public class Housekeeping {
    private final LockService locks;
    private final WriteGuard guard;
    private final AtomicLong exclusiveInFlight = new AtomicLong();

    Housekeeping(LockService locks, WriteGuard guard) {
        this.locks = locks;
        this.guard = guard;
    }

    void start(@Observes StartupEvent start) {
        guard.addInFlightSource("exclusive-lock-transactions", exclusiveInFlight::get);
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reap() {
        return locks.reap();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> gaugesAndDrain() {
        Long readOnlyEpoch = guard.state().readOnly() ? guard.epoch() : null;
        return locks.stats(readOnlyEpoch).chain(s -> {
            exclusiveInFlight.set(s[1]);
            boolean overdue = guard.drainDeadline().map(d -> Instant.now().isAfter(d)).orElse(false);
            if (readOnlyEpoch != null && overdue && s[1] > 0) {
                return locks.drain(readOnlyEpoch).replaceWithVoid();
            }
            return Uni.createFrom().voidItem();
        });
    }
}
