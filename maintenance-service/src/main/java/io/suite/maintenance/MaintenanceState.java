package io.suite.maintenance;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The maintenance state, exactly as published on {@code maintenance-state} (key "state") and read
 * by every write-guard. {@code version} grows with every change including renewals (outbox).
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

    public boolean readOnly() {
        return mode == Mode.READ_ONLY;
    }
}
