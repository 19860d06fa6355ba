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

    /** Applies the fence; fails (to be tried again) unless every session of the app role has ended. */
    public Uni<Void> apply(FenceRoles roles) {
        return fence.query("REVOKE " + FenceRoles.quoted(roles.writer()) + " FROM " + FenceRoles.quoted(roles.app()))
                .execute()
                .chain(() -> fence.preparedQuery(
                                "SELECT count(*) FILTER (WHERE NOT pg_terminate_backend(pid, $2)) AS alive,"
                                        + " count(*) AS sessions FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()")
                        .execute(Tuple.of(roles.app(), TERMINATE_WAIT_MS)))
                .map(rows -> rows.iterator().next())
                .invoke(r -> {
                    if (r.getLong("alive") > 0) {
                        throw new IllegalStateException(r.getLong("alive") + " session(s) of " + roles.app()
                                + " did not end within " + TERMINATE_WAIT_MS + " ms");
                    }
                    LOG.warnf(
                            "fenced: %s no longer has %s, %d session(s) ended",
                            roles.app(), roles.writer(), sessions(r));
                })
                .replaceWithVoid();
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
