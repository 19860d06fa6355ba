package io.suite.backup.dumps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.suite.backup.BackupConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Dumps every configured database with pg_dump into the backup's folder and writes the manifest. The
 * fingerprints of all databases are taken after DRAINED and before the first dump, and again after the
 * last one: if a frozen database's differ, something wrote during the window and the dump is refused.
 */
@ApplicationScoped
public class Dumper {
    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final BackupConfig config;
    private final PgTools tools;
    private final Fingerprints fingerprints;
    private final Postgres postgres;
    private final ObjectMapper json;

    Dumper(BackupConfig config, PgTools tools, Fingerprints fingerprints, Postgres postgres, ObjectMapper json) {
        this.config = config;
        this.postgres = postgres;
        this.tools = tools;
        this.fingerprints = fingerprints;
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public record Result(String folder, List<Artifact> artifacts, Manifest manifest, long dumpMs, long totalBytes) {
    }

    /**
     * {@code drained}: the maintenance state at the drained instant; {@code stillDrained}: checks that the system is
     * still drained in that epoch once the last dump ended (throws if not) and answers the state it saw.
     */
    public Result dump(UUID backupId, String label, long epoch, Manifest.Maintenance drained,
                       Supplier<Manifest.Maintenance> stillDrained) {
        Instant now = Instant.now();
        String folder = FOLDER.format(now) + "-" + backupId.toString().substring(0, 8);
        Path dir = config.directory().resolve(folder);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        List<String> databases = config.databases();
        String serverVersion = fingerprints.serverVersion(databases.get(0));
        long start = System.nanoTime();
        Map<String, Fingerprint> before = new LinkedHashMap<>();
        for (String db : databases) {
            before.put(db, fingerprints.take(db));
        }
        Map<String, Long> dumpMs = new LinkedHashMap<>();
        Map<String, Map<String, Long>> rowCounts = new LinkedHashMap<>();
        for (String db : databases) {
            long t = System.nanoTime();
            rowCounts.put(db, dumpInSnapshot(db, dir.resolve(db + ".dump")));
            dumpMs.put(db, (System.nanoTime() - t) / 1_000_000);
        }
        List<Manifest.DatabaseDump> dumps = new ArrayList<>();
        List<Artifact> artifacts = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        long totalBytes = 0;
        for (String db : databases) {
            Fingerprint after = fingerprints.take(db);
            List<String> changes = before.get(db).changesTo(after);
            boolean frozen = config.frozenDatabases().contains(db);
            if (frozen) {
                changes.forEach(table -> changed.add(db + ":" + table));
            }
            Path file = dir.resolve(db + ".dump");
            long bytes = size(file);
            totalBytes += bytes;
            Artifact artifact = new Artifact(db, folder + "/" + db + ".dump", bytes, Checksums.sha256(file));
            artifacts.add(artifact);
            dumps.add(new Manifest.DatabaseDump(db, artifact.file(), bytes, artifact.sha256(), dumpMs.get(db),
                    rowCounts.get(db), before.get(db), after, frozen, changes.isEmpty(), changes));
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        Manifest.Maintenance afterDump = stillDrained.get();
        Manifest manifest = new Manifest(backupId.toString(), label, epoch, now.toString(), serverVersion, tools.version(),
                drained.describe(), afterDump.describe(), drained, afterDump, dumps);
        write(dir.resolve("manifest.json"), manifest);
        if (!changed.isEmpty()) {
            throw new IllegalStateException("written to during the backup window, dump refused: " + changed);
        }
        return new Result(folder, artifacts, manifest, elapsedMs, totalBytes);
    }

    /**
     * Counts the rows and runs pg_dump in one exported snapshot, so the manifest's row counts are those of
     * the dump itself (verification compares the restored database with them).
     */
    private Map<String, Long> dumpInSnapshot(String db, Path file) {
        return postgres.withConnection(db, connection -> {
            connection.query("begin isolation level repeatable read read only").execute().await().indefinitely();
            try {
                String snapshot = connection.query("select pg_export_snapshot()").execute().await().indefinitely()
                        .iterator().next().getString(0);
                Map<String, Long> counts = Fingerprints.rowCounts(connection);
                tools.dump(db, file, snapshot);
                return counts;
            } finally {
                connection.query("commit").execute().await().indefinitely();
            }
        });
    }

    public Manifest readManifest(String folder) {
        Path file = config.directory().resolve(folder).resolve("manifest.json");
        try {
            return json.readValue(file.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new Verifier.VerificationFailed("manifest " + folder + "/manifest.json unreadable: " + e.getMessage());
        }
    }

    private void write(Path file, Manifest manifest) {
        try {
            json.writeValue(file.toFile(), manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
