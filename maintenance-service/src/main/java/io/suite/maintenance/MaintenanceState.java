package io.suite.maintenance;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The maintenance state, exactly as published on {@code maintenance-state} (key "state") and read
 * by every write-guard. {@code version} grows with every change including renewals (outbox).
 * Its times are kept to the microsecond, as PostgreSQL stores them: the state a flip publishes is then
 * exactly the one every later confirmation reads back (with nanoseconds, a write path took the first
 * confirmation for a second change of the same epoch, refused again and restarted its count).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MaintenanceState(
        Mode mode,
        long epoch,
        String reason,
        Instant since,
        Instant expiresAt,
        Long drainTimeoutMs,
        String requestedBy,
        String heldBy,
        @JsonIgnore long version) {

    public MaintenanceState {
        since = micros(since);
        expiresAt = micros(expiresAt);
    }

    private static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    public boolean readOnly() {
        return mode == Mode.READ_ONLY;
    }
}
