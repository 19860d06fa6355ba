package io.suite.backup.dumps;

import java.util.List;
import java.util.Map;

/**
 * What a backup is, written beside its dumps as {@code manifest.json}: enough to verify and to trust it
 * without the catalog.
 * <ul>
 * <li>{@code drained}: the maintenance state once DRAINED was seen; {@code snapshotsTaken}: the state checked
 * again after the last snapshot was exported, in the same epoch and still DRAINED. Every database's snapshot
 * was therefore taken inside one DRAINED window, when no write path could commit: the backup is the drained
 * state. {@code fenced} lists write paths whose database role was fenced rather than drained.</li>
 * <li>Per database: the snapshot's name and instant, and {@code rowCounts} and {@code atSnapshot} (the
 * fingerprint) read in that very snapshot, so they are those of the dump itself.</li>
 * <li>{@code readOnlyThroughDump}: read-only was held until the last dump ended ({@code maintenance:
 * require}); then {@code afterDump} is the state re-checked then and {@code after} a fresh fingerprint, and a
 * frozen database that changed fails the backup. Otherwise read-only ended once the snapshots were taken,
 * writes went on during the dump, and {@code after}, {@code afterDump} and {@code unchanged} are null.</li>
 * </ul>
 */
public record Manifest(
        String backupId,
        String label,
        Long epoch,
        String createdAt,
        String serverVersion,
        String pgDumpVersion,
        String maintenanceBefore,
        String maintenanceAfter,
        Maintenance drained,
        Maintenance snapshotsTaken,
        Maintenance afterDump,
        boolean readOnlyThroughDump,
        List<DatabaseDump> databases) {

    /** The maintenance state as seen {@code at}; {@code fenced} lists instances, [] when none. */
    public record Maintenance(Long epoch, String mode, String phase, String at, List<String> fenced) {
        public String describe() {
            return mode + "/" + phase + " epoch " + epoch
                    + (fenced == null || fenced.isEmpty() ? "" : " fenced " + fenced);
        }
    }

    public record DatabaseDump(
            String database,
            String file,
            long bytes,
            String sha256,
            long dumpMs,
            String snapshot,
            String snapshotAt,
            Map<String, Long> rowCounts,
            Fingerprint atSnapshot,
            Fingerprint after,
            boolean frozen,
            Boolean unchanged,
            List<String> changedTables) {}

    public DatabaseDump database(String name) {
        return databases.stream()
                .filter(d -> d.database().equals(name))
                .findFirst()
                .orElse(null);
    }
}
