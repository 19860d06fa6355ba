package io.suite.backup.backups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.suite.backup.BackupConfig;

import static io.suite.backup.backups.BackupCatalog.await;

/** Applies {@link RetentionPolicy} on a schedule: the folder goes first, then the catalog row. */
@ApplicationScoped
public class Retention {
    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final BackupConfig config;
    private final BackupCatalog catalog;

    Retention(BackupConfig config, BackupCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    @Scheduled(
            every = "${backup.retention.every}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void apply() {
        List<Backup> finished = await(catalog::finished);
        RetentionPolicy policy = new RetentionPolicy(
                config.retention().keep(), config.retention().maxAge());
        List<UUID> delete = policy.toDelete(
                finished.stream()
                        .map(b -> new RetentionPolicy.Entry(b.id, b.status, b.startedAt))
                        .toList(),
                Instant.now());
        for (Backup backup : finished) {
            if (delete.contains(backup.id)) {
                try {
                    if (backup.folder != null) {
                        deleteTree(config.directory().resolve(backup.folder));
                    }
                    await(() -> catalog.delete(backup.id));
                    LOG.infof("retention deleted backup %s \"%s\" of %s", backup.id, backup.label, backup.startedAt);
                } catch (RuntimeException e) {
                    LOG.warnf("retention could not delete backup %s: %s", backup.id, e.getMessage());
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
