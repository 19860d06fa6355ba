package io.suite.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.suite.testing.DefaultBearer;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * backup-service as real processes (its packaged jar): a crash mid-backup leaves nothing stuck read-only
 * (holding read-only through the dump, the lease runs out; from snapshots, read-only had ended already),
 * the next instance fails the orphaned backups with the reason, and scheduled backups run from cron.
 * Its own catalog database, so no other test sees the orphan.
 */
class BackupServiceCrashIT {
    /** Plain JUnit, not @QuarkusTest: RestAssured gets the default tester token here. */
    @BeforeAll
    static void asTester() {
        if (RestAssured.filters().stream().noneMatch(DefaultBearer.class::isInstance)) {
            RestAssured.filters(new DefaultBearer());
        }
    }

    @Test
    void aCrashMidBackupLeavesNothingStuckAndTheScheduleTakesOver() throws Exception {
        String run = Unique.name("bkit").replace('-', '_');
        String posting = run + "_posting";
        String maintenanceDb = run + "_maintenance";
        String catalog = run + "_catalog";
        Path dir = Path.of("target", "it-backups", run).toAbsolutePath();
        Path control = dir.resolve("control");
        TestDatabases.create(posting);
        TestDatabases.create(maintenanceDb);
        TestDatabases.create(catalog);
        try {
            TestDatabases.applyPostingSchema(posting);
            TestDatabases.seedPostings(posting, 300);
            Path gate = SuiteUnderBackup.pgDumpGate(control);
            Files.createFile(control.resolve("hold"));
            try (ServiceProcess maintenanceService = SuiteUnderBackup.startMaintenance(maintenanceDb, run)) {
                Maintenance maintenance = new Maintenance(maintenanceService.url());
                Map<String, String> config = new HashMap<>();
                config.put("quarkus.datasource.reactive.url", TestDatabases.reactiveUrl(catalog));
                config.put("quarkus.datasource.jdbc.url", TestDatabases.jdbcUrl(catalog));
                config.put("quarkus.rest-client.maintenance-service.url", maintenanceService.url());
                config.put("backup.directory", dir.toString());
                config.put("backup.databases", posting + "," + maintenanceDb);
                config.put("backup.check.databases", posting);
                config.put("backup.frozen-databases", posting);
                config.put("backup.restore.databases", posting);
                config.put("backup.tools.pg-dump", gate.toString());
                config.put(
                        "backup.read-only.lease",
                        "6s"); // as SuiteUnderBackup: the orphan's read-only ends 6 s after its kill
                config.put("backup.heartbeat-every", "1s");
                config.put("backup.stale-after", "3s");
                config.put("mp.messaging.outgoing.backup-events.topic", "backup-events-" + run);

                // require, pg_dump held: the backup holds the operator's read-only through the dump; killed, its
                // renewals stop and maintenance-service ends read-only by itself when the lease runs out.
                String orphan;
                ServiceProcess first = ServiceProcess.start("backup-service", config);
                try {
                    maintenance.readOnlyAndAwaitDrained("operator's window", Duration.ofSeconds(30));
                    orphan = given().baseUri(first.url())
                            .contentType("application/json")
                            .body(Map.of("label", "crashes holding read-only", "maintenance", "require"))
                            .post("/v1/backups")
                            .then()
                            .log()
                            .ifValidationFails()
                            .statusCode(202)
                            .extract()
                            .path("id");
                    // require starts RUNNING; its worker then joins the operator's read-only with its hold
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> ("backup:" + orphan)
                                    .equals(maintenance.state().getString("heldBy")));
                    assertEquals("READ_ONLY", maintenance.mode());
                } finally {
                    first.kill();
                }
                maintenance.awaitMode("READ_WRITE", Duration.ofSeconds(120));
                assertTrue(maintenance.history().contains("expired"));

                // auto, pg_dump held: read-only ended with the snapshots; a crash mid-dump leaves the system
                // read-write, and the snapshots' transactions end with the process.
                String midDump;
                ServiceProcess second = ServiceProcess.start("backup-service", config);
                try {
                    // the orphan's heartbeat stopped: this instance fails it, which frees the one-job slot
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> "FAILED"
                                    .equals(given().baseUri(second.url())
                                            .get("/v1/backups/" + orphan)
                                            .then()
                                            .extract()
                                            .path("status")));
                    midDump = given().baseUri(second.url())
                            .contentType("application/json")
                            .body(Map.of("label", "crashes mid-dump", "maintenance", "auto"))
                            .post("/v1/backups")
                            .then()
                            .statusCode(202)
                            .extract()
                            .path("id");
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> "RUNNING"
                                            .equals(given().baseUri(second.url())
                                                    .get("/v1/backups/" + midDump)
                                                    .then()
                                                    .extract()
                                                    .path("status"))
                                    && "READ_WRITE".equals(maintenance.mode()));
                    // the snapshot's session stays open for pg_dump (held by the gate)
                    await().atMost(Duration.ofSeconds(30)).until(() -> backupSessions(posting) == 1);
                } finally {
                    second.kill();
                }
                assertEquals("READ_WRITE", maintenance.mode());
                await().atMost(Duration.ofSeconds(30)).until(() -> backupSessions(posting) == 0);

                Files.delete(control.resolve("hold"));
                config.put("backup.schedule.cron", "*/2 * * * * ?");
                try (ServiceProcess third = ServiceProcess.start("backup-service", config)) {
                    for (String dead : List.of(orphan, midDump)) {
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> "FAILED"
                                        .equals(given().baseUri(third.url())
                                                .get("/v1/backups/" + dead)
                                                .then()
                                                .extract()
                                                .path("status")));
                        String error = given().baseUri(third.url())
                                .get("/v1/backups/" + dead)
                                .then()
                                .extract()
                                .path("error");
                        assertTrue(error.contains("interrupted"), error);
                    }
                    await().atMost(Duration.ofSeconds(90)).until(() -> {
                        List<Map<String, Object>> backups = given().baseUri(third.url())
                                .get("/v1/backups")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath()
                                .getList("backups");
                        return backups.stream()
                                .anyMatch(b -> String.valueOf(b.get("label")).startsWith("scheduled")
                                        && "SUCCEEDED".equals(b.get("status"))
                                        && Boolean.TRUE.equals(b.get("verified")));
                    });
                }
            }
        } finally {
            TestDatabases.drop(posting);
            TestDatabases.drop(maintenanceDb);
            TestDatabases.drop(catalog);
        }
    }

    /**
     * backup-service's sessions in {@code database} (while pg_dump is held, only the snapshot's). The test's
     * role may not see other roles' transaction details in pg_stat_activity, only who is connected where.
     */
    private static long backupSessions(String database) {
        return TestDatabases.count(
                database,
                "select count(*) from pg_stat_activity where datname = current_database()" + " and usename = '"
                        + TestDatabases.Roles.BACKUP.app() + "'");
    }
}
