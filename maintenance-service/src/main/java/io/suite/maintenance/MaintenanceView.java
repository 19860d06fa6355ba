package io.suite.maintenance;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code GET /v1/maintenance}: the state, its phase, the write paths and the instances fenced in
 * the current read-only epoch ({@code fenced}, always present, [] when none).
 */
@RegisterForReflection
public record MaintenanceView(
        @Schema(required = true) Mode mode,
        @Schema(required = true) Phase phase,
        @Schema(required = true) long epoch,
        @Schema(required = true, nullable = true) String reason,
        @Schema(required = true, nullable = true) Instant since,
        @Schema(required = true, nullable = true) Instant expiresAt,
        @Schema(required = true, nullable = true) String requestedBy,
        @Schema(required = true, nullable = true) Long drainTimeoutMs,
        @Schema(required = true, nullable = true) String heldBy,
        @Schema(required = true) List<PathView> writePaths,
        @Schema(required = true) List<String> fenced) {

    @RegisterForReflection
    public record PathView(
            @Schema(required = true) String instance,
            @Schema(required = true) String service,
            @Schema(required = true) long epoch,
            @Schema(required = true) long inFlight,
            @Schema(required = true) boolean drained,
            @Schema(required = true, nullable = true) Instant lastSeen,
            @Schema(required = true) String state,
            @Schema(required = true) long stateMaxAgeMs,
            @Schema(required = true) long aborted) {}
}
