package io.suite.maintenance;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One entry of {@code GET /v1/maintenance/history}. */
@RegisterForReflection
public record HistoryEntry(
        @Schema(required = true) long epoch,
        @Schema(required = true) String action,
        @Schema(required = true) Mode mode,
        @Schema(required = true, nullable = true) String reason,
        @Schema(required = true, nullable = true) String requestedBy,
        @Schema(required = true) Instant at,
        @Schema(required = true, nullable = true) Instant expiresAt,
        @Schema(required = true, nullable = true) Long drainTimeoutMs,
        @Schema(required = true, nullable = true) String heldBy,
        @Schema(required = true) boolean forced) {

    static HistoryEntry of(HistoryRow h) {
        return new HistoryEntry(
                h.epoch,
                h.action,
                h.mode,
                h.reason,
                h.requestedBy,
                h.at,
                h.expiresAt,
                h.drainTimeoutMs,
                h.heldBy,
                h.forced);
    }
}
