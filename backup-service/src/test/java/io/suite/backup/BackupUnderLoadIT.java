package io.suite.backup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.suite.testing.DefaultBearer;
import io.suite.testing.MaintenanceStates;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup while a load generator posts documents, everything as processes: maintenance-service,
 * lock-service, posting-service (write paths on this run's topics) and backup-service. The load sees only
 * 201 or 503 read-only; the backup is verified and holds no partial document (every document its line and
 * its movement); its snapshots were taken while DRAINED, and the load went on during the dump.
 */
class BackupUnderLoadIT {
    /** Plain JUnit, not @QuarkusTest: RestAssured gets the default tester token here. */
    @BeforeAll
    static void asTester() {
        if (RestAssured.filters().stream().noneMatch(DefaultBearer.class::isInstance)) {
            RestAssured.filters(new DefaultBearer());
        }
    }

    private static final int WRITERS = 6;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aBackupUnderLoadIsConsistentAndTheLoadSeesOnlyReadOnly() throws Exception {
        String run = Unique.name("bkload").replace('-', '_');
        String posting = run + "_posting";
        String maintenanceDb = run + "_maintenance";
        String catalog = run + "_catalog";
        Path dir = Path.of("target", "it-backups", run).toAbsolutePath();
        for (String db : List.of(posting, maintenanceDb, catalog)) {
            TestDatabases.create(db);
        }
        List<ServiceProcess> processes = Collections.synchronizedList(new ArrayList<>());
        try {
            // started two at a time, as their dependencies allow: the starts wait on PostgreSQL and Kafka as much as on
            // CPU
            var maintenanceStart = CompletableFuture.supplyAsync(
                    () -> started(processes, SuiteUnderBackup.startMaintenance(maintenanceDb, run)));
            // maintenance-service publishes its state on start; a long lease until it confirms it every second
            Map<String, String> writePath = MaintenanceStates.writePath("mstate-" + run, "wps-" + run);
            Map<String, String> lockConfig = new HashMap<>(writePath);
            lockConfig.put("lock.key-prefix", run + ":");
            var lockStart = CompletableFuture.supplyAsync(
                    () -> started(processes, ServiceProcess.start("lock-service", lockConfig)));
            settled(maintenanceStart, lockStart);
            ServiceProcess maintenance = maintenanceStart.join();
            ServiceProcess lock = lockStart.join();
            Map<String, String> postingConfig = new HashMap<>(writePath);
            postingConfig.put("quarkus.datasource.reactive.url", TestDatabases.reactiveUrl(posting));
            postingConfig.put("quarkus.datasource.jdbc.url", TestDatabases.jdbcUrl(posting));
            postingConfig.put("quarkus.rest-client.lock-service.url", lock.url());
            postingConfig.put("posting.events-topic", "document-events-" + run);
            Map<String, String> backupConfig = new HashMap<>();
            backupConfig.put("quarkus.datasource.reactive.url", TestDatabases.reactiveUrl(catalog));
            backupConfig.put("quarkus.datasource.jdbc.url", TestDatabases.jdbcUrl(catalog));
            backupConfig.put("quarkus.rest-client.maintenance-service.url", maintenance.url());
            backupConfig.put("backup.directory", dir.toString());
            backupConfig.put("backup.databases", posting + "," + maintenanceDb);
            backupConfig.put("backup.frozen-databases", posting);
            backupConfig.put("backup.check.databases", posting);
            backupConfig.put("backup.restore.databases", posting);
            backupConfig.put("backup.heartbeat-every", "2s");
            backupConfig.put("mp.messaging.outgoing.backup-events.topic", "backup-events-" + run);
            var postingStart = CompletableFuture.supplyAsync(
                    () -> started(processes, ServiceProcess.start("posting-service", postingConfig)));
            var backupStart = CompletableFuture.supplyAsync(
                    () -> started(processes, ServiceProcess.start("backup-service", backupConfig)));
            settled(postingStart, backupStart);
            ServiceProcess postingService = postingStart.join();
            ServiceProcess backupService = backupStart.join();

            String item = Unique.name("item");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong accepted = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String body = "{\"type\":\"RECEIPT\",\"lines\":[{\"item\":\"" + item + "\",\"warehouse\":\"W" + w
                        + "\",\"quantity\":1}]}";
                writers.add(pool.submit(() -> {
                    while (running.get()) {
                        HttpResponse<String> answer = HTTP.send(
                                HttpRequest.newBuilder(URI.create(postingService.url() + "/v1/documents"))
                                        .header("Content-Type", "application/json")
                                        .header("Authorization", Tokens.bearer())
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() == 201) {
                            accepted.incrementAndGet();
                        } else if (answer.statusCode() == 503
                                && answer.body().contains("https://suite.dev/problems/read-only")) {
                            refused.incrementAndGet();
                        } else {
                            unexpected.add(answer.statusCode() + " " + answer.body());
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.get() > 20 || !unexpected.isEmpty());

            String id = given().baseUri(backupService.url())
                    .contentType("application/json")
                    .body(Map.of("label", "under load", "maintenance", "auto"))
                    .post("/v1/backups")
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            await().atMost(Duration.ofSeconds(180))
                    .until(() -> List.of("SUCCEEDED", "FAILED")
                            .contains(given().baseUri(backupService.url())
                                    .get("/v1/backups/" + id)
                                    .then()
                                    .extract()
                                    .path("status")));
            long afterBackup = accepted.get();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> accepted.get() > afterBackup + 10 || !unexpected.isEmpty());
            running.set(false);
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            JsonPath backup = given().baseUri(backupService.url())
                    .get("/v1/backups/" + id)
                    .then()
                    .extract()
                    .jsonPath();
            assertEquals("SUCCEEDED", backup.getString("status"), backup.getString("error"));
            assertTrue(backup.getBoolean("verified"));
            assertTrue(unexpected.isEmpty(), "the load saw only 201 or 503 read-only: " + unexpected);
            assertTrue(refused.get() > 0, "writes were refused during the read-only window");

            JsonPath manifest = JsonPath.from(dir.resolve(backup.getString("artifacts[0].file"))
                    .resolveSibling("manifest.json")
                    .toFile());
            // the snapshots were taken while DRAINED; the dump then ran with the load going on
            assertEquals("DRAINED", manifest.getString("snapshotsTaken.phase"));
            assertEquals(backup.getLong("epoch"), manifest.getLong("snapshotsTaken.epoch"));
            long documents = manifest.getLong("databases[0].rowCounts['public.documents']");
            assertTrue(documents > 0);
            assertEquals(
                    documents,
                    manifest.getLong("databases[0].rowCounts['public.document_lines']"),
                    "no partial document");
            assertEquals(
                    documents,
                    manifest.getLong("databases[0].rowCounts['public.stock_movements']"),
                    "no partial document");
        } finally {
            for (int i = processes.size() - 1; i >= 0; i--) {
                processes.get(i).close();
            }
            for (String db : List.of(posting, maintenanceDb, catalog)) {
                TestDatabases.drop(db);
            }
        }
    }

    private static ServiceProcess started(List<ServiceProcess> processes, ServiceProcess process) {
        processes.add(process);
        return process;
    }

    /** Waits until each of {@code starts} has succeeded or failed (none is left starting when a sibling failed). */
    private static void settled(CompletableFuture<?>... starts) {
        CompletableFuture.allOf(starts).exceptionally(e -> null).join();
    }
}
