package io.suite.backup.dumps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.sqlclient.SqlConnection;

import static io.suite.backup.dumps.Postgres.ident;

/** Takes {@link Fingerprint}s and counts rows: of a live database before/after a dump, of a restored one. */
@ApplicationScoped
public class Fingerprints {
    private static final String TABLES = """
            select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
               and n.nspname not like 'pg\\_%' order by 1, 2""";

    private final Postgres postgres;

    Fingerprints(Postgres postgres) {
        this.postgres = postgres;
    }

    public Fingerprint take(String database) {
        return postgres.withConnection(database, Fingerprints::take);
    }

    /** As {@code connection}'s transaction sees the database: inside an exported snapshot, the state at its instant. */
    public static Fingerprint take(SqlConnection connection) {
        Map<String, Fingerprint.Table> tables = new TreeMap<>();
        for (String[] table : tables(connection)) {
            var row = connection
                    .query("select count(*), coalesce(sum(xmin::text::bigint), 0)::text from " + ident(table[0]) + "."
                            + ident(table[1]))
                    .execute()
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            tables.put(table[0] + "." + table[1], new Fingerprint.Table(row.getLong(0), row.getString(1)));
        }
        Map<String, Long> stats = new LinkedHashMap<>();
        var row = connection
                .query("select xact_commit, tup_inserted, tup_updated, tup_deleted from pg_stat_database"
                        + " where datname = current_database()")
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next();
        stats.put("xactCommit", row.getLong(0));
        stats.put("tupInserted", row.getLong(1));
        stats.put("tupUpdated", row.getLong(2));
        stats.put("tupDeleted", row.getLong(3));
        return new Fingerprint(tables, stats);
    }

    public Map<String, Long> rowCounts(String database) {
        return postgres.withConnection(database, Fingerprints::rowCounts);
    }

    /** Rows per table as {@code connection}'s transaction sees them (e.g. inside the snapshot pg_dump uses). */
    public static Map<String, Long> rowCounts(SqlConnection connection) {
        Map<String, Long> counts = new TreeMap<>();
        for (String[] table : tables(connection)) {
            counts.put(
                    table[0] + "." + table[1],
                    connection
                            .query("select count(*) from " + ident(table[0]) + "." + ident(table[1]))
                            .execute()
                            .await()
                            .indefinitely()
                            .iterator()
                            .next()
                            .getLong(0));
        }
        return counts;
    }

    public String serverVersion(String database) {
        return postgres.query(database, "show server_version", row -> row.getString(0))
                .get(0);
    }

    private static List<String[]> tables(SqlConnection connection) {
        List<String[]> tables = new ArrayList<>();
        connection
                .query(TABLES)
                .execute()
                .await()
                .indefinitely()
                .forEach(row -> tables.add(new String[] {row.getString(0), row.getString(1)}));
        return tables;
    }
}
