package io.suite.maintenance;

import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Runs work while the state row is share-locked: no change of the state commits meanwhile (a
 * change locks it FOR UPDATE), also across replicas. A fence is applied only while the state is
 * still the read-only epoch it is for, and lifted only while it is still READ_WRITE.
 */
@ApplicationScoped
public class StateLock {
    public <T> Uni<T> shared(Function<MaintenanceState, Uni<T>> work) {
        return Panache.withTransaction(() -> StateRow.<StateRow>findById(StateRow.ID, LockModeType.PESSIMISTIC_READ)
                .chain(row -> work.apply(row.toState())));
    }
}
