package io.suite.backup.backups;

import io.suite.backup.dumps.Artifact;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A backup as the API shows it (DESIGN.md "Backup API"), plus timings and the last restore. */
public record BackupView(UUID id, String label, String maintenance, BackupStatus status, Long epoch, Instant startedAt,
                         Instant finishedAt, List<Artifact> artifacts, Boolean verified, String error,
                         boolean setReadOnly, Timings timings, Restore restore) {

    public record Timings(Long drainMs, Long dumpMs, Long verifyMs, Long readOnlyWindowMs) {
    }

    public record Restore(String status, Instant startedAt, Instant finishedAt, String error) {
    }

    static BackupView of(Backup b, List<Artifact> artifacts) {
        return new BackupView(b.id, b.label, b.mode.json(), b.status, b.epoch, b.startedAt, b.finishedAt, artifacts,
                b.verified, b.error, b.setReadOnly, new Timings(b.drainMs, b.dumpMs, b.verifyMs, b.readOnlyWindowMs),
                b.restoreStatus == null ? null
                        : new Restore(b.restoreStatus, b.restoreStartedAt, b.restoreFinishedAt, b.restoreError));
    }
}
