package io.suite.maintenance;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One entry of {@code GET /v1/maintenance/history}. */
@RegisterForReflection
public record HistoryEntry(long epoch, String action, Mode mode, String reason, String requestedBy, Instant at,
        Instant expiresAt, Long drainTimeoutMs, String heldBy, boolean forced) {

    static HistoryEntry of(HistoryRow h) {
        return new HistoryEntry(h.epoch, h.action, h.mode, h.reason, h.requestedBy, h.at, h.expiresAt,
                h.drainTimeoutMs, h.heldBy, h.forced);
    }
}
