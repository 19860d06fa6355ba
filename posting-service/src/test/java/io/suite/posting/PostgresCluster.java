package io.suite.posting;

import java.io.IOException;
import java.net.ServerSocket;
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
 * A PostgreSQL 15 cluster of a test's own (initdb + pg_ctl as user postgres, trust authentication, a free
 * port, a directory under /tmp), so that a test can stop and restart it without touching the shared server.
 */
public final class PostgresCluster implements AutoCloseable {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final int port;

    private PostgresCluster(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** initdb and start; {@code roles} are created as LOGIN SUPERUSER (any password: trust). */
    public static PostgresCluster start(String name, List<String> roles) {
        try {
            Path dir = Files.createDirectories(Path.of("/tmp", name));
            run(List.of("chown", "postgres:postgres", dir.toString()));
            PostgresCluster cluster = new PostgresCluster(dir, freePort());
            cluster.asPostgres(List.of(BIN.resolve("initdb").toString(), "-D", cluster.data().toString(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"));
            cluster.start();
            for (String role : roles) {
                cluster.execute("postgres", "CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + role + "'");
            }
            return cluster;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    public int port() {
        return port;
    }

    /** Starts it (again), waiting until it accepts connections. */
    public void start() {
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start"));
    }

    /** Stops it as a crash would: every session ends at once, nothing is shut down cleanly. */
    public void stopImmediately() {
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop"));
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "postgres");
    }

    public void execute(String database, String sql) {
        try (Connection c = connect(database)) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                stopImmediately();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // left in /tmp: harmless
            }
        }
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
