package io.suite.backup.dumps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.suite.backup.BackupConfig;

/** The real pg_dump and pg_restore, run as external processes on the backup worker thread. */
@ApplicationScoped
public class PgTools {
    private final BackupConfig config;
    private final Postgres postgres;

    PgTools(BackupConfig config, Postgres postgres) {
        this.config = config;
        this.postgres = postgres;
    }

    /**
     * {@code pg_dump -Fc} (custom format, compressed, restorable in parallel) of the exported {@code snapshot}:
     * exactly the data the exporting transaction sees.
     */
    public void dump(String database, Path file, String snapshot) {
        run(
                List.of(
                        config.tools().pgDump(),
                        "-Fc",
                        "-w",
                        "--snapshot=" + snapshot,
                        "-f",
                        file.toString(),
                        database),
                Map.of(),
                file);
    }

    /** Into an empty scratch database, in parallel: used by verification. */
    public void restoreInto(String database, Path file) {
        run(
                List.of(
                        config.tools().pgRestore(),
                        "-w",
                        "--no-owner",
                        "--no-acl",
                        "--exit-on-error",
                        "--jobs=" + config.tools().restoreJobs(),
                        "-d",
                        database,
                        file.toString()),
                Map.of(),
                file);
    }

    /**
     * Over the live database, in one transaction: objects are dropped and recreated, so either the whole
     * backup is back or nothing changed; the services' connections stay open (no termination needed).
     * As the database's owner ({@code --role}: the backup role may assume it, it does not hold its rights), so
     * the objects belong to the owner again and its default privileges give the service roles their grants.
     */
    public void restoreOver(String database, Path file) {
        String lockTimeout = config.restore().lockTimeout().toMillis() + "ms";
        run(
                List.of(
                        config.tools().pgRestore(),
                        "-w",
                        "--no-owner",
                        "--no-acl",
                        "--exit-on-error",
                        "--clean",
                        "--if-exists",
                        "--single-transaction",
                        "--role=" + postgres.owner(database),
                        "-d",
                        database,
                        file.toString()),
                Map.of("PGOPTIONS", "-c lock_timeout=" + lockTimeout),
                file);
    }

    public String version() {
        return capture(List.of(config.tools().pgDump(), "--version")).trim();
    }

    private void run(List<String> command, Map<String, String> extraEnv, Path file) {
        Path log = file.resolveSibling(
                file.getFileName() + "." + Path.of(command.get(0)).getFileName() + ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(postgres.toolEnvironment());
        builder.environment().putAll(extraEnv);
        try {
            int exit = builder.start().waitFor();
            if (exit != 0) {
                throw new ToolFailed(Path.of(command.get(0)).getFileName() + " exited with " + exit + ": " + tail(log));
            }
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new ToolFailed("could not run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolFailed(command.get(0) + " interrupted");
        }
    }

    private String capture(List<String> command) {
        try {
            Process process = new ProcessBuilder(new ArrayList<>(command))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor();
            return out;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log).trim();
            return text.length() > 800 ? "…" + text.substring(text.length() - 800) : text;
        } catch (IOException e) {
            return "(no output)";
        }
    }

    public static class ToolFailed extends RuntimeException {
        public ToolFailed(String message) {
            super(message);
        }
    }
}
