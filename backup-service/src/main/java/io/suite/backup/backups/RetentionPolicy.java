package io.suite.backup.backups;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Which finished backups retention deletes. Successful ones: all but the newest {@code keep}, and those
 * older than {@code maxAge} except the newest one (there is always one backup to go back to). Failed ones:
 * when older than {@code maxAge} (kept until then to show what went wrong).
 */
public record RetentionPolicy(int keep, Duration maxAge) {

    public record Entry(UUID id, BackupStatus status, Instant startedAt) {}

    public List<UUID> toDelete(List<Entry> finished, Instant now) {
        Instant oldest = now.minus(maxAge);
        List<Entry> newestFirst = new ArrayList<>(finished);
        newestFirst.sort(Comparator.comparing(Entry::startedAt).reversed());
        List<UUID> delete = new ArrayList<>();
        int succeeded = 0;
        for (Entry entry : newestFirst) {
            if (entry.status() == BackupStatus.SUCCEEDED) {
                succeeded++;
                if (succeeded > Math.max(keep, 1)
                        || (succeeded > 1 && entry.startedAt().isBefore(oldest))) {
                    delete.add(entry.id());
                }
            } else if (entry.status() == BackupStatus.FAILED
                    && entry.startedAt().isBefore(oldest)) {
                delete.add(entry.id());
            }
        }
        return delete;
    }
}
