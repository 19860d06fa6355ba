package io.suite.writeguard;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The maintenance state as published by maintenance-service on the compacted topic
 * {@code maintenance-state} (key {@code "state"}, this record as JSON). Unknown JSON fields are
 * ignored so the publisher can add some without breaking older write paths.
 *
 * @param mode           READ_WRITE or READ_ONLY; UNKNOWN only locally, before the topic has been read
 * @param epoch          grows by one with every change of mode; a renewal keeps the epoch
 * @param reason         why (operator text, "expired", "state-unknown" ...)
 * @param since          when this epoch began
 * @param expiresAt      READ_ONLY only: when it ends by itself unless renewed (null otherwise)
 * @param drainTimeoutMs READ_ONLY only: writes still running this long after the flip are rolled back (null: no limit)
 * @param requestedBy    who asked for it
 * @param heldBy         e.g. "backup:&lt;id&gt;" while a backup holds the system read-only (null otherwise)
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MaintenanceState(Mode mode, long epoch, String reason, Instant since, Instant expiresAt,
        Long drainTimeoutMs, String requestedBy, String heldBy) {

    public enum Mode {
        READ_WRITE, READ_ONLY, UNKNOWN
    }

    /** What a write path believes before it has read the topic up to its end: refuse writes. */
    public static MaintenanceState unknown() {
        return new MaintenanceState(Mode.UNKNOWN, -1, Refusal.STATE_UNKNOWN.tag(), Instant.now(), null, null, null, null);
    }

    /** The state of an empty topic: nobody ever asked for maintenance. */
    public static MaintenanceState initial() {
        return new MaintenanceState(Mode.READ_WRITE, 0, "initial", Instant.EPOCH, null, null, null, null);
    }

    public boolean readOnly() {
        return mode == Mode.READ_ONLY;
    }

    public boolean known() {
        return mode != Mode.UNKNOWN;
    }
}
