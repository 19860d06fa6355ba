package io.suite.backup.backups;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.suite.backup.dumps.Artifact;

/** A backup as the API shows it (DESIGN.md "Backup API"), plus timings and the last restore. */
public record BackupView(
        @Schema(required = true) UUID id,
        @Schema(required = true, nullable = true) String label,

        @Schema(
                required = true,
                nullable = true,
                description = "who started it (the token's user; backup-service when scheduled)")
        String requestedBy,

        @Schema(required = true) String maintenance,
        @Schema(required = true) BackupStatus status,
        @Schema(required = true, nullable = true) Long epoch,
        @Schema(required = true, nullable = true) Instant startedAt,
        @Schema(required = true, nullable = true) Instant finishedAt,
        @Schema(required = true) List<Artifact> artifacts,
        @Schema(required = true, nullable = true) Boolean verified,
        @Schema(required = true, nullable = true) String error,
        @Schema(required = true) boolean setReadOnly,
        @Schema(required = true) Timings timings,
        @Schema(required = true, nullable = true) Restore restore) {

    public record Timings(
            @Schema(required = true, nullable = true) Long drainMs,
            @Schema(required = true, nullable = true) Long dumpMs,
            @Schema(required = true, nullable = true) Long verifyMs,
            @Schema(required = true, nullable = true) Long readOnlyWindowMs) {}

    public record Restore(
            @Schema(required = true) String status,
            @Schema(required = true, nullable = true) Instant startedAt,
            @Schema(required = true, nullable = true) Instant finishedAt,
            @Schema(required = true, nullable = true) String error,

            @Schema(required = true, nullable = true, description = "who started it (the token's user)")
            String requestedBy) {}

    static BackupView of(Backup b, List<Artifact> artifacts) {
        return new BackupView(
                b.id,
                b.label,
                b.requestedBy,
                b.mode.json(),
                b.status,
                b.epoch,
                b.startedAt,
                b.finishedAt,
                artifacts,
                b.verified,
                b.error,
                b.setReadOnly,
                new Timings(b.drainMs, b.dumpMs, b.verifyMs, b.readOnlyWindowMs),
                b.restoreStatus == null
                        ? null
                        : new Restore(
                                b.restoreStatus,
                                b.restoreStartedAt,
                                b.restoreFinishedAt,
                                b.restoreError,
                                b.restoreRequestedBy));
    }
}
