package io.suite.maintenance.fence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A database fence that is (or is being) applied to a service. Written before the REVOKE, deleted
 * after the GRANT back: a restarted maintenance-service lifts exactly what was revoked.
 */
@Entity
@Table(name = "database_fence")
public class DatabaseFenceRow extends PanacheEntityBase {
    @Id
    public String service;

    @Column(name = "app_role")
    public String appRole;

    @Column(name = "writer_role")
    public String writerRole;
    /** The read-only epoch it was (last) applied for. */
    public long epoch;
    /** Null while the REVOKE and the end of the sessions are not both done. */
    @Column(name = "applied_at")
    public Instant appliedAt;

    FenceRoles roles() {
        return new FenceRoles(appRole, writerRole);
    }
}
