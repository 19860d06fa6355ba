package io.suite.maintenance;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code GET /v1/maintenance}: the state, its phase and the write paths. */
@RegisterForReflection
public record MaintenanceView(Mode mode, Phase phase, long epoch, String reason, Instant since, Instant expiresAt,
        String requestedBy, Long drainTimeoutMs, String heldBy, List<PathView> writePaths) {

    @RegisterForReflection
    public record PathView(String instance, String service, long epoch, long inFlight, boolean drained,
            Instant lastSeen, String state) {
    }
}
