package io.suite.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 cluster of a test's (or a bench's) own (initdb + pg_ctl as user postgres, a free port, a
 * directory under /tmp), set up with the suite's real roles and databases by {@code infra/postgres/setup.sql}:
 * the services connect as their least-privilege roles, and the database fence revokes {@code posting_writer}
 * here, never on the shared server. Tests connect as the superuser {@code postgres} (trust); the
 * services find it by {@code DB_PORT}.
 */
public final class PrivatePostgres implements AutoCloseable {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final int port;

    private PrivatePostgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** initdb, start, and the suite's roles and databases (posting, maintenance, backup) by setup.sql. */
    public static PrivatePostgres start(String name) {
        try {
            Path dir = Files.createDirectories(Path.of("/tmp", name));
            run(List.of("chown", "postgres:postgres", dir.toString()));
            PrivatePostgres pg = new PrivatePostgres(dir, ServiceProcess.freePort());
            pg.asPostgres(List.of(
                    BIN.resolve("initdb").toString(),
                    "-D",
                    pg.data().toString(),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync"));
            pg.start();
            Path sql = ServiceProcess.repositoryRoot().resolve("infra/postgres/setup.sql");
            pg.psql("-c", "CREATE ROLE suite LOGIN CREATEDB PASSWORD 'suite'");
            pg.psql("-f", sql.toString());
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** Starts it (again), waiting until it accepts connections. */
    public void start() {
        asPostgres(List.of(
                BIN.resolve("pg_ctl").toString(),
                "-D",
                data().toString(),
                "-l",
                dir.resolve("log").toString(),
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                "-w",
                "start"));
    }

    /** Stops it as a crash would: every session ends at once, nothing is shut down cleanly. */
    public void crash() {
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop"));
    }

    public boolean running() {
        return Files.exists(data().resolve("postmaster.pid"));
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "postgres");
    }

    @Override
    public void close() {
        try {
            if (running()) {
                crash();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // left in /tmp: harmless
            }
        }
    }

    private void psql(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "psql",
                "-qAtX",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                dir.toString(),
                "-p",
                String.valueOf(port),
                "-U",
                "postgres",
                "-d",
                "postgres"));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    private void asPostgres(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(command);
        run(cmd);
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
