package io.suite.backup.dumps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.suite.backup.BackupConfig;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Short SQL conversations with any database of the cluster (the backed up ones, scratch ones).
 * Blocking: called only from the backup worker thread, never from the event loop.
 */
@ApplicationScoped
public class Postgres {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final Vertx vertx;
    private final BackupConfig.Postgres config;

    Postgres(Vertx vertx, BackupConfig config) {
        this.vertx = vertx;
        this.config = config.postgres();
    }

    public <T> List<T> query(String database, String sql, Function<Row, T> mapper) {
        return withConnection(database, connection -> {
            List<T> result = new ArrayList<>();
            connection.query(sql).execute().await().atMost(TIMEOUT).forEach(row -> result.add(mapper.apply(row)));
            return result;
        });
    }

    public void execute(String database, String sql) {
        withConnection(
                database, connection -> connection.query(sql).execute().await().atMost(TIMEOUT));
    }

    public <T> T withConnection(String database, Function<SqlConnection, T> work) {
        SqlConnection connection = open(database);
        try {
            return work.apply(connection);
        } finally {
            connection.close().await().atMost(Duration.ofSeconds(10));
        }
    }

    /** A connection the caller closes (e.g. one that keeps an exported snapshot alive while pg_dump reads it). */
    public SqlConnection open(String database) {
        return PgConnection.connect(vertx, options(database)).await().atMost(Duration.ofSeconds(30));
    }

    /** Environment for pg_dump/pg_restore: the password never appears on a command line. */
    public Map<String, String> toolEnvironment() {
        return Map.of(
                "PGHOST",
                config.host(),
                "PGPORT",
                String.valueOf(config.port()),
                "PGUSER",
                config.user(),
                "PGPASSWORD",
                config.password());
    }

    public String adminDatabase() {
        return config.adminDatabase();
    }

    /** The role that owns {@code database}: a restore recreates its objects as this role, as its migrations did. */
    public String owner(String database) {
        return withConnection(
                config.adminDatabase(),
                connection -> connection
                        .preparedQuery("select pg_get_userbyid(datdba) from pg_database where datname = $1")
                        .execute(Tuple.of(database))
                        .await()
                        .atMost(TIMEOUT)
                        .iterator()
                        .next()
                        .getString(0));
    }

    private PgConnectOptions options(String database) {
        return new PgConnectOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setUser(config.user())
                .setPassword(config.password())
                .setDatabase(database);
    }

    /** Quotes an identifier for SQL text (database, schema and table names come from the catalog or config). */
    public static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
