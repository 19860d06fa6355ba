package io.suite.writeguard;

/**
 * CDI event fired (synchronously, on the guard's Kafka thread: observers must not block) whenever
 * the state this instance follows changes: mode, epoch, or a renewal of the same epoch. A mere
 * confirmation (the same state with a new {@code confirmedAt}, every second) is not a change.
 * Observe with {@code void on(@Observes MaintenanceStateChanged e)}.
 */
public record MaintenanceStateChanged(MaintenanceState previous, MaintenanceState current) {

    /** True when this change is the flip into read-only (a new READ_ONLY epoch). */
    public boolean flippedToReadOnly() {
        return current.readOnly() && (previous == null || !previous.readOnly() || previous.epoch() != current.epoch());
    }
}
