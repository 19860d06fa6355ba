package io.suite.bench.posting;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.suite.bench.ServiceJars;

/**
 * A fresh posting database for a contender of another revision ({@code before=<rev>}): its Flyway refuses a
 * database that today's service has migrated further (it does not know the newer migrations). Made like
 * infra/postgres's {@code database.sql} (owner {@code posting_owner}, {@code grants.sql} for posting_app and
 * posting_writer), as the local administrator {@code suite}, with {@code psql}; dropped at the end.
 */
final class RevisionDatabase {
    private static final String ADMIN = System.getProperty("bench.pg-admin", "suite");

    private RevisionDatabase() {}

    static String create(String name) throws IOException, InterruptedException {
        psql("postgres", "-c", "CREATE DATABASE \"" + name + "\" OWNER posting_owner");
        psql(
                name,
                "-v",
                "owner=posting_owner",
                "-v",
                "app=posting_app",
                "-v",
                "writer=posting_writer",
                "-v",
                "reader=backup_app",
                "-f",
                ServiceJars.root().resolve("infra/postgres/grants.sql").toString());
        return name;
    }

    static void drop(String name) throws IOException, InterruptedException {
        psql("postgres", "-c", "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    }

    private static void psql(String db, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                "psql",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                System.getProperty("bench.pg-host", "127.0.0.1"),
                "-U",
                ADMIN,
                "-d",
                db));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectOutput(
                ServiceJars.root().resolve(Path.of("bench/target/psql.log")).toFile());
        pb.environment().putIfAbsent("PGPASSWORD", System.getProperty("bench.pg-password", ADMIN));
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("psql " + String.join(" ", args) + " failed: see bench/target/psql.log");
        }
    }
}
