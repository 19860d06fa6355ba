package io.suite.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.suite.testing.SentTokens;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

/**
 * What a backup needs around it, real and private to this test run: a posting database (posting-service's
 * schema, consistent registers), a maintenance database, maintenance-service as a process on unique topics,
 * a backup directory, and a pg_dump that a test can hold or make fail (a gate in front of the real one).
 */
public class SuiteUnderBackup implements QuarkusTestResourceLifecycleManager {
    /** A JVM-wide name: test resources and tests may see this class through different class loaders. */
    public static final String RUN = runName();

    public static final String POSTING_DB = RUN + "_posting";
    public static final String MAINTENANCE_DB = RUN + "_maintenance";
    public static final String EVENTS_TOPIC = "backup-events-" + RUN;
    public static final Path DIR = Path.of("target", "test-backups", RUN).toAbsolutePath();
    public static final Path CONTROL = DIR.resolve("control");

    private static ServiceProcess maintenance;

    public static String maintenanceUrl() {
        return System.getProperty("suite-test.backup-maintenance-url");
    }

    private static synchronized String runName() {
        String run = System.getProperty("suite-test.backup-run");
        if (run == null) {
            run = Unique.name("bk").replace('-', '_');
            System.setProperty("suite-test.backup-run", run);
        }
        return run;
    }

    /** Starts maintenance-service on the given database and topics, as the suite runs it. */
    public static ServiceProcess startMaintenance(String database, String run) {
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", TestDatabases.reactiveUrl(database));
        config.put("quarkus.datasource.jdbc.url", TestDatabases.jdbcUrl(database));
        config.put("maintenance.state-topic", "mstate-" + run);
        config.put("maintenance.status-topic", "wps-" + run);
        config.put("write-guard.state-topic", "mstate-" + run);
        config.put("write-guard.status-topic", "wps-" + run);
        return ServiceProcess.start("maintenance-service", config);
    }

    /** A shell script in front of the real pg_dump: exits 3 while {@code fail} exists, waits while {@code hold} exists. */
    public static Path pgDumpGate(Path control) {
        return gate(control, "pg_dump", """
                if [ -e '%1$s/fail' ]; then echo "pg_dump failed on purpose (test)" >&2; exit 3; fi
                while [ -e '%1$s/hold' ]; do sleep 0.1; done
                """.formatted(control));
    }

    /** A shell script in front of the real pg_restore: waits while {@code hold-restore} exists. */
    public static Path pgRestoreGate(Path control) {
        return gate(control, "pg_restore", """
                while [ -e '%1$s/hold-restore' ]; do sleep 0.1; done
                """.formatted(control));
    }

    private static Path gate(Path control, String tool, String checks) {
        try {
            Files.createDirectories(control);
            Path script = control.getParent().resolve(tool + "-gate.sh");
            Files.writeString(script, "#!/bin/sh\n" + checks + "exec " + tool + " \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> start() {
        TestDatabases.create(POSTING_DB);
        TestDatabases.applyPostingSchema(POSTING_DB);
        TestDatabases.seedPostings(POSTING_DB, 600);
        TestDatabases.create(MAINTENANCE_DB);
        Path gate = pgDumpGate(CONTROL);
        maintenance = startMaintenance(MAINTENANCE_DB, RUN);
        System.setProperty("suite-test.backup-maintenance-url", maintenance.url());
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.rest-client.maintenance-service.url", maintenance.url());
        // backup-service's tokens live 300 s: renewed while they have 299 s left, each serves about a second, so
        // the backups here run across many renewals (production: 30 s before expiry); SentTokens sees each call's
        config.put("quarkus.oidc-client.refresh-token-time-skew", "299S");
        if (System.getProperty("native.image.path") == null) {
            // not under failsafe, whose @QuarkusIntegrationTest runs the packaged artifact: it has no test classes
            config.put("quarkus.rest-client.maintenance-service.providers", SentTokens.class.getName());
        }
        config.putAll(backupConfig(gate));
        return config;
    }

    /** The backup-service settings of this run (shared with the IT, which runs it as a process). */
    public static Map<String, String> backupConfig(Path gate) {
        Map<String, String> config = new HashMap<>();
        config.put("backup.directory", DIR.toString());
        config.put("backup.databases", POSTING_DB + "," + MAINTENANCE_DB);
        config.put("backup.check.databases", POSTING_DB);
        config.put("backup.frozen-databases", POSTING_DB);
        config.put("backup.restore.databases", POSTING_DB);
        config.put("backup.restore.never", MAINTENANCE_DB);
        config.put(
                "backup.tools.pg-restore",
                pgRestoreGate(gate.getParent().resolve("control")).toString());
        config.put("backup.tools.pg-dump", gate.toString());
        config.put("backup.read-only.lease", "6s");
        config.put("backup.read-only.drain-wait", "30s");
        config.put("backup.heartbeat-every", "1s");
        config.put("mp.messaging.outgoing.backup-events.topic", EVENTS_TOPIC);
        return config;
    }

    @Override
    public void stop() {
        if (maintenance != null) {
            maintenance.close();
        }
        TestDatabases.drop(POSTING_DB);
        TestDatabases.drop(MAINTENANCE_DB);
    }
}
