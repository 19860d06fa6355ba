package io.suite.posting.registers;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.suite.writeguard.WriteGuard;

/** Keeps the Sales split rows few: folds them now and then (skipped while read-only). */
@ApplicationScoped
public class SalesCollapseJob {
    private static final Logger LOG = Logger.getLogger(SalesCollapseJob.class);

    private final WriteGuard guard;

    SalesCollapseJob(WriteGuard guard) {
        this.guard = guard;
    }

    @Scheduled(
            every = "${posting.sales-collapse-interval:10m}",
            delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> collapse() {
        if (guard.refusesWrites()) {
            return Uni.createFrom().voidItem();
        }
        return guard.write(
                        () -> Panache.withTransaction(() -> Panache.getSession().chain(SalesRegister::collapse)))
                .invoke(n -> LOG.debugf("collapsed %d sales split rows", n))
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("sales collapse failed: %s", e.toString());
                    return 0;
                })
                .replaceWithVoid();
    }
}
