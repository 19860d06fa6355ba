package io.suite.maintenance;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/** The one row holding the current state (id 1). */
@Entity
@Table(name = "maintenance_state")
public class StateRow extends PanacheEntityBase {
    public static final int ID = 1;

    @Id
    public Integer id;

    public long epoch;

    @Enumerated(EnumType.STRING)
    public Mode mode;

    public String reason;

    @Column(name = "requested_by")
    public String requestedBy;

    public Instant since;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "drain_timeout_ms")
    public Long drainTimeoutMs;

    @Column(name = "held_by")
    public String heldBy;

    public long version;

    @Column(name = "published_version")
    public long publishedVersion;

    /** Records {@code version} as sent to Kafka (the outbox), unless a later one already is. */
    static Uni<Integer> markPublished(long version) {
        return update("publishedVersion = ?1 where id = ?2 and publishedVersion < ?1", version, ID);
    }

    MaintenanceState toState() {
        return new MaintenanceState(
                mode, epoch, reason, since, expiresAt, drainTimeoutMs, requestedBy, heldBy, version);
    }

    void set(MaintenanceState s) {
        epoch = s.epoch();
        mode = s.mode();
        reason = s.reason();
        since = s.since();
        expiresAt = s.expiresAt();
        drainTimeoutMs = s.drainTimeoutMs();
        requestedBy = s.requestedBy();
        heldBy = s.heldBy();
        version = s.version();
    }
}
