package io.suite.backup.dumps;

import java.util.List;
import java.util.Map;

/**
 * What a backup is, written beside its dumps as {@code manifest.json}: enough to verify and to trust it
 * without the catalog. {@code before} is taken once maintenance-service said DRAINED, {@code after} once
 * the last dump ended; {@code unchanged} is true only if every table's fingerprint is equal.
 */
public record Manifest(String backupId, String label, Long epoch, String createdAt, String serverVersion,
                       String pgDumpVersion, String maintenanceBefore, String maintenanceAfter,
                       List<DatabaseDump> databases) {

    public record DatabaseDump(String database, String file, long bytes, String sha256, long dumpMs,
                               Map<String, Long> rowCounts, Fingerprint before, Fingerprint after, boolean unchanged) {
    }

    public DatabaseDump database(String name) {
        return databases.stream().filter(d -> d.database().equals(name)).findFirst().orElse(null);
    }
}
