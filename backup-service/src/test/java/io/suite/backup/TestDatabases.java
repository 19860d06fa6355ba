package io.suite.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import io.suite.testing.PostingSeed;
import io.suite.testing.ServiceProcess;

/**
 * Scratch databases for the tests, on the real PostgreSQL, with the roles production has (infra/postgres): each is
 * owned by its service's owner role, which also applies the schema, and carries the grants of infra/postgres/grants.sql.
 * The posting schema is posting-service's own migrations. The tests themselves read and write as "suite", the local
 * administrator (a member of every owner role).
 */
public final class TestDatabases {
    public static final String HOST = "127.0.0.1";
    public static final String USER = "suite";
    public static final String PASSWORD = "suite";

    /** The roles of one service's database; local passwords are the role names. */
    public record Roles(String owner, String app, String writer, String reader) {
        public static final Roles POSTING = new Roles("posting_owner", "posting_app", "posting_writer", "backup_app");
        public static final Roles MAINTENANCE =
                new Roles("maintenance_owner", "maintenance_app", "maintenance_app", "backup_app");
        public static final Roles BACKUP = new Roles("backup_owner", "backup_app", "backup_app", "backup_app");

        /** By the test's naming: {@code …_posting}, {@code …_maintenance}, anything else is a backup catalog. */
        public static Roles of(String database) {
            return database.endsWith("_posting") ? POSTING : database.endsWith("_maintenance") ? MAINTENANCE : BACKUP;
        }
    }

    private TestDatabases() {}

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":5432/" + database;
    }

    public static String reactiveUrl(String database) {
        return "postgresql://" + HOST + ":5432/" + database;
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Creates {@code database} with the roles its name says (see {@link Roles#of}). */
    public static void create(String database) {
        create(database, Roles.of(database));
    }

    public static void create(String database, Roles roles) {
        execute("postgres", "create database " + database + " owner " + roles.owner());
        grant(database, roles);
    }

    /** infra/postgres/grants.sql, run by the owner with psql, as ./suite runs it for the real databases. */
    private static void grant(String database, Roles roles) {
        Path grants = ServiceProcess.repositoryRoot().resolve("infra/postgres/grants.sql");
        ProcessBuilder psql = new ProcessBuilder(
                        "psql",
                        "-qX",
                        "-h",
                        HOST,
                        "-U",
                        roles.owner(),
                        "-d",
                        database,
                        "-v",
                        "owner=" + roles.owner(),
                        "-v",
                        "app=" + roles.app(),
                        "-v",
                        "writer=" + roles.writer(),
                        "-v",
                        "reader=" + roles.reader(),
                        "-f",
                        grants.toString())
                .redirectErrorStream(true);
        psql.environment().put("PGPASSWORD", roles.owner());
        try {
            Process process = psql.start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("grants on " + database + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void drop(String database) {
        execute("postgres", "drop database if exists " + database + " with (force)");
    }

    public static void execute(String database, String sql) {
        try (Connection c = connect(database)) {
            execute(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    public static long count(String database, String sql) {
        try (Connection c = connect(database);
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * posting-service's Flyway migrations, in version order, applied by posting_owner as Flyway does: the same
     * tables and invariant views as production, with the same owner and grants.
     */
    public static void applyPostingSchema(String database) {
        Path migrations = ServiceProcess.repositoryRoot().resolve("posting-service/src/main/resources/db/migration");
        String owner = Roles.POSTING.owner();
        try (Stream<Path> files = Files.list(migrations);
                Connection c = DriverManager.getConnection(jdbcUrl(database), owner, owner)) {
            List<Path> sorted = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted((a, b) -> Integer.compare(version(a), version(b)))
                    .toList();
            for (Path file : sorted) {
                execute(c, Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("posting schema in " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * Posted receipts and shipments with consistent registers: {@code documents} documents of one line each,
     * over 20 items in 3 warehouses; every balance equals its movements and none is negative.
     */
    public static void seedPostings(String database, int documents) {
        execute(database, PostingSeed.sql(documents, 20));
        long violations = count(database, "select count(*) from register_negative_balances")
                + count(database, "select count(*) from register_balance_mismatches");
        if (violations != 0) {
            throw new IllegalStateException("the seed itself is inconsistent: " + violations + " violations");
        }
    }

    private static int version(Path file) {
        String name = file.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }
}
