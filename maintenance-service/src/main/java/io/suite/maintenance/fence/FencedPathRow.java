package io.suite.maintenance.fence;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A write path fenced in a read-only epoch: why, and when (kept as the record of fences). */
@Entity
@Table(name = "fenced_path")
public class FencedPathRow extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public long epoch;
    public String instance;
    public String service;
    /** {@code silent} (no heartbeat for lost-after) or {@code not-drained} (at flip + drainTimeoutMs). */
    public String reason;

    public Instant at;
}
