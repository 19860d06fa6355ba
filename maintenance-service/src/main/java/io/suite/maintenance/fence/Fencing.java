package io.suite.maintenance.fence;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.suite.maintenance.MaintenanceConfig;
import io.suite.maintenance.MaintenanceState;
import io.suite.maintenance.PhaseRule;
import io.suite.maintenance.StateLock;
import io.suite.maintenance.WritePath;

/**
 * Applies what {@link PhaseRule#mustFence} decides: in read-only epoch N, a write path that is
 * silent or not drained by flip + drainTimeoutMs is fenced once its lease has ended, through its
 * service's database fence if it has one ({@code maintenance.fence.roles}), by the lease alone
 * otherwise (lock-service: its Redis script refuses grants past the lease it carries). In
 * READ_WRITE every database fence still recorded is lifted. The fenced paths of the current epoch
 * are re-read from the database every time, so every replica of this service shows the same list.
 */
@ApplicationScoped
public class Fencing {
    private static final Logger LOG = Logger.getLogger(Fencing.class);

    private final MaintenanceConfig config;
    private final DatabaseFence database;
    private final StateLock stateLock;
    private final MeterRegistry registry;

    Fencing(MaintenanceConfig config, DatabaseFence database, StateLock stateLock, MeterRegistry registry) {
        this.config = config;
        this.database = database;
        this.stateLock = stateLock;
        this.registry = registry;
    }

    private Map<String, FenceRoles> roles;
    private MultiGauge byService;
    /** The paths fenced for {@code epoch}: instance → service. */
    private volatile Fenced current = new Fenced(-1, Map.of());

    private record Fenced(long epoch, Map<String, String> paths) {}

    @PostConstruct
    void init() {
        roles = new HashMap<>();
        config.fence().roles().forEach((service, value) -> roles.put(service, FenceRoles.parse(service, value)));
        byService = MultiGauge.builder("maintenance.fenced.paths")
                .description("Write paths fenced in the current read-only epoch, by service")
                .register(registry);
    }

    /** The instances fenced for {@code epoch} (empty for any other epoch: every fence ends with its epoch). */
    public Set<String> fenced(long epoch) {
        Fenced f = current;
        return f.epoch() == epoch ? f.paths().keySet() : Set.of();
    }

    /** Read-only: fences the paths due. Read-write: lifts every database fence still recorded. */
    public Uni<Void> enforce(MaintenanceState state, List<WritePath> paths, Instant now) {
        if (!state.readOnly()) {
            remember(new Fenced(state.epoch(), Map.of()));
            return liftAll();
        }
        return load(state.epoch()).chain(() -> fenceDue(state, paths, now));
    }

    private Uni<Void> load(long epoch) {
        return Panache.withSession(() -> FencedPathRow.<FencedPathRow>list("epoch", epoch))
                .invoke(rows -> remember(new Fenced(
                        epoch, rows.stream().collect(Collectors.toMap(r -> r.instance, r -> r.service, (a, b) -> a)))))
                .replaceWithVoid();
    }

    private Uni<Void> fenceDue(MaintenanceState state, List<WritePath> paths, Instant now) {
        Set<String> fenced = fenced(state.epoch());
        Map<String, List<WritePath>> due = paths.stream()
                .filter(p -> PhaseRule.mustFence(p, state, fenced, now, config.limits(), roles.keySet()))
                .collect(Collectors.groupingBy(WritePath::service));
        return Multi.createFrom()
                .iterable(due.entrySet())
                .onItem()
                .transformToUniAndConcatenate(e -> fenceService(state, e.getKey(), e.getValue(), now)
                        .onFailure()
                        .invoke(x -> LOG.warnf(
                                "cannot fence %s yet (%s): DRAINED waits; retrying", e.getKey(), x.toString()))
                        .onFailure()
                        .recoverWithNull())
                .collect()
                .last()
                .replaceWithVoid();
    }

    private Uni<Void> fenceService(MaintenanceState state, String service, List<WritePath> paths, Instant now) {
        FenceRoles r = roles.get(service);
        Uni<Void> databaseFence =
                r == null ? Uni.createFrom().voidItem() : applyDatabaseFence(state.epoch(), service, r, now);
        return databaseFence.chain(() -> stateLock.shared(s -> {
            if (!s.readOnly() || s.epoch() != state.epoch()) {
                return Uni.createFrom().voidItem();
            }
            Map<String, String> next = new HashMap<>(current.paths());
            List<FencedPathRow> rows = paths.stream()
                    .map(p -> {
                        FencedPathRow row = new FencedPathRow();
                        row.epoch = state.epoch();
                        row.instance = p.instance();
                        row.service = service;
                        row.reason = PhaseRule.silent(p, now, config.lostAfter()) ? "silent" : "not-drained";
                        row.at = now;
                        next.put(p.instance(), service);
                        LOG.warnf(
                                "write path %s (%s) fenced in epoch %d: %s",
                                p.instance(), service, state.epoch(), row.reason);
                        return row;
                    })
                    .toList();
            return FencedPathRow.persist(rows).invoke(() -> remember(new Fenced(state.epoch(), next)));
        }));
    }

    /**
     * Records the fence (its own commit, so a crash after the REVOKE still leaves it to lift), then
     * revokes and ends the sessions while the state is still read-only epoch {@code epoch}.
     * Nothing to do when already applied for this epoch: no session of the role could write since.
     */
    private Uni<Void> applyDatabaseFence(long epoch, String service, FenceRoles r, Instant now) {
        return stateLock
                .shared(s -> {
                    if (!s.readOnly() || s.epoch() != epoch) {
                        return Uni.createFrom().item(false);
                    }
                    return DatabaseFenceRow.<DatabaseFenceRow>findById(service).chain(row -> {
                        if (row != null && row.epoch == epoch && row.appliedAt != null) {
                            return Uni.createFrom().item(false);
                        }
                        DatabaseFenceRow next = row != null ? row : new DatabaseFenceRow();
                        next.service = service;
                        next.appRole = r.app();
                        next.writerRole = r.writer();
                        next.epoch = epoch;
                        next.appliedAt = null;
                        return next.persist().replaceWith(true);
                    });
                })
                .chain(pending -> !pending
                        ? Uni.createFrom().voidItem()
                        : stateLock.shared(s -> {
                            if (!s.readOnly() || s.epoch() != epoch) {
                                return Uni.createFrom().voidItem(); // the state moved on: the next lift grants back
                            }
                            return database.apply(r)
                                    .chain(() -> DatabaseFenceRow.update(
                                            "appliedAt = ?1 where service = ?2 and epoch = ?3", now, service, epoch))
                                    .replaceWithVoid();
                        }));
    }

    /** Grants back every recorded fence while the state is still READ_WRITE, then forgets it. */
    public Uni<Void> liftAll() {
        return Panache.withSession(() -> DatabaseFenceRow.<DatabaseFenceRow>listAll())
                .chain(rows -> rows.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : stateLock.shared(s -> s.readOnly()
                                ? Uni.createFrom().voidItem()
                                : Multi.createFrom()
                                        .iterable(rows)
                                        .onItem()
                                        .transformToUniAndConcatenate(row -> database.lift(row.roles())
                                                .chain(() -> DatabaseFenceRow.delete("service", row.service)))
                                        .collect()
                                        .last()
                                        .replaceWithVoid()))
                .onFailure()
                .invoke(e -> LOG.warnf("cannot lift the database fences yet (%s): retrying", e.toString()))
                .onFailure()
                .recoverWithNull();
    }

    private void remember(Fenced f) {
        current = f;
        Map<String, Long> counts =
                f.paths().values().stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        byService.register(
                counts.entrySet().stream()
                        .map(e -> MultiGauge.Row.of(Tags.of("service", e.getKey()), e.getValue()))
                        .toList(),
                true);
    }
}
