package io.suite.maintenance.fence;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The database fence of one service, run as role {@code suite_fencer} (datasource {@code fence}):
 * the app role loses the writer role, then every session of the app role is ended (waiting until
 * each has really gone, so its open transaction is rolled back). A path that wakes up later with a
 * stale state cannot commit: it has no session and its role cannot write. Lifted by granting back.
 */
@ApplicationScoped
public class DatabaseFence {
    private static final Logger LOG = Logger.getLogger(DatabaseFence.class);
    /** How long pg_terminate_backend waits for each session to end. */
    private static final long TERMINATE_WAIT_MS = 5000;

    private final Pool fence;

    DatabaseFence(@ReactiveDataSource("fence") Pool fence) {
        this.fence = fence;
    }

    /**
     * Applies the fence; fails (to be tried again) unless every session of the app role has ended.
     * Every session is signalled at once and only then waited for: {@code pg_terminate_backend(pid, timeout)}
     * polls the session it signalled every 100 ms, so ending 24 pooled sessions one after the other took
     * 2.4 s (the bench's first paused-path flip: DRAINED at 5.1-6 s instead of ~3 s).
     */
    public Uni<Void> apply(FenceRoles roles) {
        return fence.query("REVOKE " + FenceRoles.quoted(roles.writer()) + " FROM " + FenceRoles.quoted(roles.app()))
                .execute()
                .chain(() -> fence.preparedQuery("SELECT coalesce(array_agg(pid), '{}') AS pids,"
                                + " count(*) FILTER (WHERE pg_terminate_backend(pid)) AS signalled,"
                                + " count(*) AS sessions"
                                + " FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()")
                        .execute(Tuple.of(roles.app())))
                .map(rows -> rows.iterator().next())
                .chain(r -> awaitEnded(r.getArrayOfIntegers("pids")).invoke(alive -> {
                    if (alive > 0) {
                        throw new IllegalStateException(alive + " session(s) of " + roles.app() + " did not end within "
                                + TERMINATE_WAIT_MS + " ms");
                    }
                    LOG.warnf(
                            "fenced: %s no longer has %s, %d session(s) ended",
                            roles.app(), roles.writer(), sessions(r));
                }))
                .replaceWithVoid();
    }

    /**
     * Waits (each at most TERMINATE_WAIT_MS) for the sessions still listed, then counts those still there
     * (one that could not be signalled included: the fence then fails and is tried again). A session gone
     * before its wait makes pg_terminate_backend answer false, so that answer proves nothing: only the
     * second, fresh look at pg_stat_activity decides. A session leaves pg_stat_activity only after its
     * open transaction was rolled back.
     */
    private Uni<Long> awaitEnded(Integer[] pids) {
        if (pids.length == 0) {
            return Uni.createFrom().item(0L);
        }
        return fence.preparedQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, $2)) AS waited"
                        + " FROM pg_stat_activity WHERE pid = ANY($1)")
                .execute(Tuple.of(pids, TERMINATE_WAIT_MS))
                .chain(() -> fence.preparedQuery("SELECT count(*) AS alive FROM pg_stat_activity WHERE pid = ANY($1)")
                        .execute(Tuple.of(pids)))
                .map(rows -> rows.iterator().next().getLong("alive"));
    }

    /** Lifts the fence (granting what is already granted is a no-op). */
    public Uni<Void> lift(FenceRoles roles) {
        return fence.query("GRANT " + FenceRoles.quoted(roles.writer()) + " TO " + FenceRoles.quoted(roles.app()))
                .execute()
                .invoke(() -> LOG.infof("fence lifted: %s has %s again", roles.app(), roles.writer()))
                .replaceWithVoid();
    }

    private static long sessions(Row r) {
        return r.getLong("sessions");
    }
}
