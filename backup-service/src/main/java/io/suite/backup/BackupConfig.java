package io.suite.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "backup")
public interface BackupConfig {

    /** Where dumps and manifests go (a persistent volume on Kubernetes). */
    Path directory();

    /** The databases that hold business state; each is dumped into its own file. */
    List<String> databases();

    /**
     * The databases only write paths write (write-guard in front): between DRAINED and the end of the dump
     * they must not change, or the backup fails. The others (maintenance: the control plane, which records
     * this very backup's lease renewals) are dumped from pg_dump's consistent snapshot, their changes listed.
     */
    List<String> frozenDatabases();

    Postgres postgres();

    Tools tools();

    ReadOnly readOnly();

    Check check();

    Restore restore();

    Retention retention();

    /** How often the job in hand beats its heartbeat and renews its read-only lease. */
    Duration heartbeatEvery();

    Schedule schedule();

    interface Schedule {
        /** Quartz cron of scheduled backups (auto mode), or "off". */
        String cron();
    }

    /** A backup whose worker has not beaten its heartbeat for this long died with its replica. */
    @WithDefault("2m")
    Duration staleAfter();

    interface Postgres {
        String host();

        int port();

        String user();

        String password();

        /** A database to connect to for CREATE/DROP DATABASE of scratch databases. */
        @WithDefault("postgres")
        String adminDatabase();
    }

    interface Tools {
        @WithDefault("pg_dump")
        String pgDump();

        @WithDefault("pg_restore")
        String pgRestore();

        /** Parallel jobs of pg_restore into the scratch database. */
        @WithDefault("2")
        int restoreJobs();
    }

    interface ReadOnly {
        /** The lease asked of maintenance-service; renewed while the backup works, runs out if we die. */
        @WithDefault("60s")
        Duration lease();

        /** How long writes in flight may take before maintenance-service rolls them back. */
        @WithDefault("30s")
        Duration writeDrainTimeout();

        /** How long a backup waits for DRAINED before it gives up (FAILED). */
        @WithDefault("120s")
        Duration drainWait();

        /**
         * Keep read-only (set by an {@code auto} backup) through the dump, as before backups came from snapshots:
         * for comparison (bench/run backup) only; {@code maintenance: require} keeps the operator's read-only anyway.
         */
        @WithDefault("false")
        boolean holdDuringDump();

        /** Keep read-only through verification too; by default read-only ends as soon as the dumps are proven. */
        @WithDefault("false")
        boolean holdDuringVerify();
    }

    interface Check {
        /** Which of the dumped databases hold the registers and must pass the invariant check. */
        List<String> databases();

        /** Views that list violations of the posting invariants: each must be empty. */
        List<String> views();
    }

    interface Restore {
        /** What a restore puts back by default: not the maintenance database, whose epoch must only grow. */
        List<String> databases();

        /**
         * Databases a restore refuses (400), even when named: the maintenance database. Its epochs must only
         * grow; restored live, they went back, and every write path ignored the next read-only flip.
         */
        List<String> never();

        /** lock_timeout for the restore, so it fails instead of waiting forever behind a reader. */
        @WithDefault("30s")
        Duration lockTimeout();
    }

    interface Retention {
        /** How many successful backups to keep at least (newest first). */
        @WithDefault("7")
        int keep();

        /** Backups older than this are deleted, beyond the newest {@code keep}. */
        @WithDefault("30d")
        Duration maxAge();

        /** How often retention runs. */
        Duration every();
    }
}
