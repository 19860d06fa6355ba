package io.suite.backup.dumps;

import java.util.ArrayList;
import java.util.List;

import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * One exported snapshot per backed-up database ({@code pg_export_snapshot()} in a REPEATABLE READ READ ONLY
 * transaction), all taken inside one DRAINED window, so they agree with each other and with the drained
 * state. Each transaction stays open until the dumps are done: pg_dump imports the snapshot by its name
 * ({@code --snapshot}), and the fingerprint and row counts are read in it, so they describe the drained
 * instant however long the dump takes and whatever is written meanwhile.
 */
public final class Snapshots implements AutoCloseable {

    /** {@code takenAt}: the database's clock when the snapshot was exported. */
    public record Snapshot(String database, String name, String takenAt, SqlConnection connection) {}

    private final List<Snapshot> taken = new ArrayList<>();

    /** Exports one snapshot per database; on any failure the ones taken so far are released. */
    static Snapshots take(Postgres postgres, List<String> databases) {
        Snapshots snapshots = new Snapshots();
        try {
            for (String database : databases) {
                SqlConnection connection = postgres.open(database);
                try {
                    connection
                            .query("begin isolation level repeatable read read only")
                            .execute()
                            .await()
                            .indefinitely();
                    var row = connection
                            .query("select pg_export_snapshot(), clock_timestamp()::text")
                            .execute()
                            .await()
                            .indefinitely()
                            .iterator()
                            .next();
                    snapshots.taken.add(new Snapshot(database, row.getString(0), row.getString(1), connection));
                } catch (RuntimeException e) {
                    connection.close().await().indefinitely();
                    throw e;
                }
            }
            return snapshots;
        } catch (RuntimeException e) {
            snapshots.close();
            throw e;
        }
    }

    public Snapshot of(String database) {
        return taken.stream()
                .filter(s -> s.database().equals(database))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no snapshot of " + database));
    }

    /** Ends every snapshot's transaction (read only: nothing to commit) and closes its connection. */
    @Override
    public void close() {
        for (Snapshot snapshot : taken) {
            try {
                snapshot.connection().query("rollback").execute().await().indefinitely();
            } catch (RuntimeException e) {
                // the connection is gone already: its transaction ended with it
            } finally {
                snapshot.connection().close().await().indefinitely();
            }
        }
        taken.clear();
    }
}
