package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The last heartbeat of one write path; lastSeen is when this service received it (its own clock).
 * {@code stateMaxAgeMs}: how long the path writes on a READ_WRITE confirmation (its lease);
 * {@code aborted}: writes aborted at the drain timeout whose work has not ended yet (in inFlight);
 * {@code writesOnlyInDatabase}: every write of the path goes through its database role (the fence stops them).
 */
@RegisterForReflection
public record WritePath(
        String instance,
        String service,
        long epoch,
        long inFlight,
        boolean drained,
        Instant lastSeen,
        long stateMaxAgeMs,
        long aborted,
        boolean writesOnlyInDatabase) {
    /** What a heartbeat without {@code stateMaxAgeMs} means: write-guard's default state-max-age. */
    public static final long DEFAULT_STATE_MAX_AGE_MS = 5000;

    @JsonIgnore
    public Duration stateMaxAge() {
        return Duration.ofMillis(stateMaxAgeMs);
    }
}
