package io.suite.backup.backups;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;

/** The suite's agreed backup metrics, registered at start-up so they are scraped at zero too. */
@ApplicationScoped
public class BackupMetrics {
    private static final Logger LOG = Logger.getLogger(BackupMetrics.class);

    private final AtomicLong lastSuccessSeconds = new AtomicLong();
    private final AtomicLong sizeBytes = new AtomicLong();
    private final Timer duration;
    private final Timer readOnlyWindow;
    private final Counter failures;

    BackupMetrics(MeterRegistry registry) {
        Gauge.builder("backup.last.success.timestamp.seconds", lastSuccessSeconds, AtomicLong::get)
                .description("When the last verified backup finished (epoch seconds)")
                .register(registry);
        Gauge.builder("backup.size.bytes", sizeBytes, AtomicLong::get)
                .description("Size of the dumps of the last verified backup")
                .baseUnit("bytes")
                .register(registry);
        duration = Timer.builder("backup.duration")
                .description("From request to SUCCEEDED or FAILED")
                .publishPercentileHistogram()
                .register(registry);
        readOnlyWindow = Timer.builder("backup.read.only.window")
                .description("How long a backup kept the system read-only (flip to lift)")
                .publishPercentileHistogram()
                .register(registry);
        failures = Counter.builder("backup.failures")
                .description("Backups that ended FAILED")
                .register(registry);
    }

    void loadLastSuccess(@Observes StartupEvent start, BackupCatalog catalog) {
        try {
            Backup last = BackupCatalog.await(catalog::lastSuccess);
            if (last != null) {
                succeeded(last);
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not read the last successful backup: %s", e.getMessage());
        }
    }

    void succeeded(Backup backup) {
        lastSuccessSeconds.set(backup.finishedAt.getEpochSecond());
        if (backup.totalBytes != null) {
            sizeBytes.set(backup.totalBytes);
        }
    }

    void finished(Duration took, boolean ok) {
        duration.record(took);
        if (!ok) {
            failures.increment();
        }
    }

    void readOnlyWindow(long millis) {
        readOnlyWindow.record(Duration.ofMillis(millis));
    }
}
