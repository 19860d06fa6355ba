package io.suite.maintenance;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One change of the maintenance state: who, when, why, which epoch. */
@Entity
@Table(name = "maintenance_history")
public class HistoryRow extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public long epoch;
    public String action;

    @Enumerated(EnumType.STRING)
    public Mode mode;

    public String reason;

    @Column(name = "requested_by")
    public String requestedBy;

    public Instant at;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "drain_timeout_ms")
    public Long drainTimeoutMs;

    @Column(name = "held_by")
    public String heldBy;

    public boolean forced;

    static HistoryRow of(Transition t) {
        HistoryRow h = new HistoryRow();
        MaintenanceState s = t.next();
        h.epoch = s.epoch();
        h.action = t.action();
        h.mode = s.mode();
        h.reason = t.reason();
        h.requestedBy = t.requestedBy();
        h.at = t.at();
        h.expiresAt = s.expiresAt();
        h.drainTimeoutMs = s.drainTimeoutMs();
        h.heldBy = s.heldBy();
        h.forced = t.forced();
        return h;
    }
}
