package io.suite.maintenance;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The last heartbeat of one write path; lastSeen is when this service received it (its own clock). */
@RegisterForReflection
public record WritePath(String instance, String service, long epoch, long inFlight, boolean drained, Instant lastSeen) {
}
