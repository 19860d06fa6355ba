package io.suite.maintenance;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code GET /v1/maintenance}: the state, its phase, the write paths and the instances fenced in
 * the current read-only epoch ({@code fenced}, always present, [] when none).
 */
@RegisterForReflection
public record MaintenanceView(Mode mode, Phase phase, long epoch, String reason, Instant since, Instant expiresAt,
        String requestedBy, Long drainTimeoutMs, String heldBy, List<PathView> writePaths, List<String> fenced) {

    @RegisterForReflection
    public record PathView(String instance, String service, long epoch, long inFlight, boolean drained,
            Instant lastSeen, String state, long stateMaxAgeMs, long aborted) {
    }
}
