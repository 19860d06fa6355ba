package io.suite.backup.backups;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Backups on a cron expression ({@code backup.schedule.cron}, Quartz syntax); "off" by default. */
@ApplicationScoped
public class ScheduledBackups {
    private static final Logger LOG = Logger.getLogger(ScheduledBackups.class);

    private final BackupResource backups;

    ScheduledBackups(BackupResource backups) {
        this.backups = backups;
    }

    @Scheduled(
            identity = "scheduled-backup",
            cron = "${backup.schedule.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> backUp() {
        return backups.start("scheduled " + Instant.now(), MaintenanceMode.AUTO, BackupResource.SCHEDULE)
                .invoke(b -> LOG.infof("scheduled backup %s started", b.id))
                .onFailure()
                .invoke(e -> LOG.warnf("scheduled backup not started: %s", e.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }
}
