package io.suite.backup.dumps;

import java.util.List;
import java.util.Map;

/**
 * What a backup is, written beside its dumps as {@code manifest.json}: enough to verify and to trust it
 * without the catalog. {@code rowCounts} are counted in the very snapshot pg_dump dumped. {@code before} is taken once maintenance-service said DRAINED, {@code after} once
 * the last dump ended; {@code unchanged} is true only if every table's fingerprint is equal, and a
 * {@code frozen} database (one only write paths write) must be unchanged or there is no backup.
 * {@code drained} is the maintenance state at the drained instant (before the first fingerprint),
 * {@code afterDump} the one checked after the last dump: epoch, phase and the write paths fenced at the
 * database (their writes were refused there rather than drained).
 */
public record Manifest(String backupId, String label, Long epoch, String createdAt, String serverVersion,
                       String pgDumpVersion, String maintenanceBefore, String maintenanceAfter,
                       Maintenance drained, Maintenance afterDump, List<DatabaseDump> databases) {

    /** The maintenance state as seen {@code at}; {@code fenced} lists instances, [] when none. */
    public record Maintenance(Long epoch, String mode, String phase, String at, List<String> fenced) {
        public String describe() {
            return mode + "/" + phase + " epoch " + epoch + (fenced == null || fenced.isEmpty() ? "" : " fenced " + fenced);
        }
    }

    public record DatabaseDump(String database, String file, long bytes, String sha256, long dumpMs,
                               Map<String, Long> rowCounts, Fingerprint before, Fingerprint after, boolean frozen,
                               boolean unchanged, List<String> changedTables) {
    }

    public DatabaseDump database(String name) {
        return databases.stream().filter(d -> d.database().equals(name)).findFirst().orElse(null);
    }
}
