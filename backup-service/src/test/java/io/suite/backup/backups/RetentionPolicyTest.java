package io.suite.backup.backups;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionPolicyTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private static RetentionPolicy.Entry entry(BackupStatus status, int daysAgo) {
        return new RetentionPolicy.Entry(UUID.randomUUID(), status, NOW.minus(Duration.ofDays(daysAgo)));
    }

    @Test
    void keepsTheNewestSuccessfulOnesByCount() {
        List<RetentionPolicy.Entry> entries = new ArrayList<>();
        for (int day = 0; day < 5; day++) {
            entries.add(entry(BackupStatus.SUCCEEDED, day));
        }
        List<UUID> delete = new RetentionPolicy(3, Duration.ofDays(30)).toDelete(entries, NOW);
        assertEquals(List.of(entries.get(3).id(), entries.get(4).id()), delete);
    }

    @Test
    void deletesOldOnesButNeverTheNewestSuccessfulOne() {
        RetentionPolicy.Entry newest = entry(BackupStatus.SUCCEEDED, 40);
        RetentionPolicy.Entry older = entry(BackupStatus.SUCCEEDED, 50);
        RetentionPolicy.Entry oldFailure = entry(BackupStatus.FAILED, 31);
        RetentionPolicy.Entry recentFailure = entry(BackupStatus.FAILED, 1);
        List<UUID> delete = new RetentionPolicy(7, Duration.ofDays(30))
                .toDelete(List.of(older, recentFailure, newest, oldFailure), NOW);
        assertEquals(List.of(oldFailure.id(), older.id()), delete);
    }

    @Test
    void failuresDoNotCountTowardsTheKeptOnes() {
        List<RetentionPolicy.Entry> entries =
                List.of(entry(BackupStatus.FAILED, 0), entry(BackupStatus.FAILED, 1), entry(BackupStatus.SUCCEEDED, 2));
        assertTrue(new RetentionPolicy(1, Duration.ofDays(30))
                .toDelete(entries, NOW)
                .isEmpty());
    }
}
