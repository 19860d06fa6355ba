package io.suite.backup.dumps;

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

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.suite.backup.BackupConfig;

/**
 * Dumps every configured database with pg_dump into the backup's folder and writes the manifest. Each
 * database is dumped from its snapshot exported while the system was DRAINED ({@link #snapshots}), so the
 * read-only window need not last through the dump. When it does ({@code maintenance: require}), fresh
 * fingerprints after the last dump must equal those of the snapshots for every frozen database.
 */
@ApplicationScoped
public class Dumper {
    private static final DateTimeFormatter FOLDER =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

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

    public record Result(String folder, List<Artifact> artifacts, Manifest manifest, long dumpMs, long totalBytes) {}

    /** What the runner saw of maintenance around the snapshots (see {@link Manifest}). */
    public record Window(long epoch, Manifest.Maintenance drained, Manifest.Maintenance snapshotsTaken) {}

    /** Exports a snapshot of every backed-up database: call it while the system is DRAINED, and close it after {@link #dump}. */
    public Snapshots snapshots() {
        return Snapshots.take(postgres, config.databases());
    }

    /**
     * Dumps each database from its snapshot. {@code stillDrained} is null when read-only ended after the
     * snapshots; otherwise it re-checks, once the last dump ended, that the system is still drained in the
     * epoch (throws if not) and answers the state it saw.
     */
    public Result dump(
            UUID backupId,
            String label,
            Window window,
            Snapshots snapshots,
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
        Map<String, Fingerprint> atSnapshot = new LinkedHashMap<>();
        Map<String, Long> dumpMs = new LinkedHashMap<>();
        Map<String, Map<String, Long>> rowCounts = new LinkedHashMap<>();
        for (String db : databases) {
            Snapshots.Snapshot snapshot = snapshots.of(db);
            long t = System.nanoTime();
            // read in the snapshot itself: the drained instant, and exactly what pg_dump dumps
            atSnapshot.put(db, Fingerprints.take(snapshot.connection()));
            rowCounts.put(db, Fingerprints.rowCounts(snapshot.connection()));
            tools.dump(db, dir.resolve(db + ".dump"), snapshot.name());
            dumpMs.put(db, (System.nanoTime() - t) / 1_000_000);
        }
        boolean heldThroughDump = stillDrained != null;
        List<Manifest.DatabaseDump> dumps = new ArrayList<>();
        List<Artifact> artifacts = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        long totalBytes = 0;
        for (String db : databases) {
            Fingerprint after = heldThroughDump ? fingerprints.take(db) : null;
            List<String> changes =
                    after == null ? List.of() : atSnapshot.get(db).changesTo(after);
            boolean frozen = config.frozenDatabases().contains(db);
            if (frozen) {
                changes.forEach(table -> changed.add(db + ":" + table));
            }
            Path file = dir.resolve(db + ".dump");
            long bytes = size(file);
            totalBytes += bytes;
            Artifact artifact = new Artifact(db, folder + "/" + db + ".dump", bytes, Checksums.sha256(file));
            artifacts.add(artifact);
            Snapshots.Snapshot snapshot = snapshots.of(db);
            dumps.add(new Manifest.DatabaseDump(
                    db,
                    artifact.file(),
                    bytes,
                    artifact.sha256(),
                    dumpMs.get(db),
                    snapshot.name(),
                    snapshot.takenAt(),
                    rowCounts.get(db),
                    atSnapshot.get(db),
                    after,
                    frozen,
                    heldThroughDump ? changes.isEmpty() : null,
                    changes));
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        Manifest.Maintenance afterDump = heldThroughDump ? stillDrained.get() : null;
        Manifest manifest = new Manifest(
                backupId.toString(),
                label,
                window.epoch(),
                now.toString(),
                serverVersion,
                tools.version(),
                window.drained().describe(),
                (afterDump != null ? afterDump : window.snapshotsTaken()).describe(),
                window.drained(),
                window.snapshotsTaken(),
                afterDump,
                heldThroughDump,
                dumps);
        write(dir.resolve("manifest.json"), manifest);
        if (!changed.isEmpty()) {
            throw new IllegalStateException("written to during the backup window, dump refused: " + changed);
        }
        return new Result(folder, artifacts, manifest, elapsedMs, totalBytes);
    }

    public Manifest readManifest(String folder) {
        Path file = config.directory().resolve(folder).resolve("manifest.json");
        try {
            return json.readValue(file.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new Verifier.VerificationFailed(
                    "manifest " + folder + "/manifest.json unreadable: " + e.getMessage());
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
