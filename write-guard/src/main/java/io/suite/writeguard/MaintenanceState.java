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
 * @param confirmedAt    when maintenance-service sent this record (it republishes its state every second): a
 *                       READ_WRITE state is a lease that runs from here (null: from when it was received)
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
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
        Instant confirmedAt) {

    public enum Mode {
        READ_WRITE,
        READ_ONLY,
        UNKNOWN
    }

    /**
     * What a write path believes until it has read a state from the topic: refuse writes. An empty
     * topic leaves it so (no "initial" READ_WRITE from nothing): maintenance-service fills it.
     */
    public static MaintenanceState unknown() {
        return new MaintenanceState(
                Mode.UNKNOWN, -1, Refusal.STATE_UNKNOWN.tag(), Instant.now(), null, null, null, null, null);
    }

    /** The same state, only confirmed at another time: a mere confirmation, not a change. */
    public boolean sameStateAs(MaintenanceState other) {
        return other != null && unconfirmed().equals(other.unconfirmed());
    }

    private MaintenanceState unconfirmed() {
        return new MaintenanceState(mode, epoch, reason, since, expiresAt, drainTimeoutMs, requestedBy, heldBy, null);
    }

    public boolean readOnly() {
        return mode == Mode.READ_ONLY;
    }

    public boolean known() {
        return mode != Mode.UNKNOWN;
    }
}
