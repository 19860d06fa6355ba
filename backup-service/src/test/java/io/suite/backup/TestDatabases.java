package io.suite.backup;

import io.suite.testing.PostingSeed;
import io.suite.testing.ServiceProcess;

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

/** Scratch databases for the tests, on the real PostgreSQL; the posting schema is posting-service's own migrations. */
public final class TestDatabases {
    public static final String HOST = "127.0.0.1";
    public static final String USER = "suite";
    public static final String PASSWORD = "suite";

    private TestDatabases() {
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":5432/" + database;
    }

    public static String reactiveUrl(String database) {
        return "postgresql://" + HOST + ":5432/" + database;
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    public static void create(String database) {
        execute("postgres", "create database " + database);
    }

    public static void drop(String database) {
        execute("postgres", "drop database if exists " + database + " with (force)");
    }

    public static void execute(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static long count(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** posting-service's Flyway migrations, in version order: the same tables and invariant views as production. */
    public static void applyPostingSchema(String database) {
        Path migrations = ServiceProcess.repositoryRoot().resolve("posting-service/src/main/resources/db/migration");
        try (Stream<Path> files = Files.list(migrations)) {
            List<Path> sorted = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
            for (Path file : sorted) {
                execute(database, Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
