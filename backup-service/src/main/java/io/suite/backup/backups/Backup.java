package io.suite.backup.backups;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A catalog row. Artifacts are kept as their JSON text: they are written once and only ever read whole. */
@Entity
@Table(name = "backup")
public class Backup extends PanacheEntityBase {
    @Id
    public UUID id;

    public String label;

    /** Who started it: the token's principal, or backup-service for a scheduled backup. */
    @Column(name = "requested_by")
    public String requestedBy;

    @Enumerated(EnumType.STRING)
    public MaintenanceMode mode;

    @Enumerated(EnumType.STRING)
    public BackupStatus status;

    public Long epoch;

    @Column(name = "set_read_only")
    public boolean setReadOnly;

    public String folder;
    public String artifacts;
    public Boolean verified;
    public String error;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;

    @Column(name = "drain_ms")
    public Long drainMs;

    @Column(name = "dump_ms")
    public Long dumpMs;

    @Column(name = "verify_ms")
    public Long verifyMs;

    @Column(name = "read_only_window_ms")
    public Long readOnlyWindowMs;

    @Column(name = "total_bytes")
    public Long totalBytes;

    @Column(name = "restore_status")
    public String restoreStatus;

    @Column(name = "restore_started_at")
    public Instant restoreStartedAt;

    @Column(name = "restore_finished_at")
    public Instant restoreFinishedAt;

    @Column(name = "restore_error")
    public String restoreError;

    @Column(name = "restore_requested_by")
    public String restoreRequestedBy;
}
