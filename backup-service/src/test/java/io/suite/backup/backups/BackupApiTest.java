package io.suite.backup.backups;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.suite.backup.BackupEventsConsumer;
import io.suite.backup.Maintenance;
import io.suite.backup.SuiteUnderBackup;
import io.suite.backup.TestDatabases;
import io.suite.backup.dumps.Checksums;
import io.suite.backup.maintenance.ReadOnlyLease;
import io.suite.testing.AuthRefusals;
import io.suite.testing.Management;
import io.suite.testing.SentTokens;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;
import static io.suite.backup.SuiteUnderBackup.CONTROL;
import static io.suite.backup.SuiteUnderBackup.DIR;
import static io.suite.backup.SuiteUnderBackup.MAINTENANCE_DB;
import static io.suite.backup.SuiteUnderBackup.POSTING_DB;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.in;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups against the real PostgreSQL, Kafka and maintenance-service (a process), with the real pg_dump and
 * pg_restore. Every test leaves the system read-write with no backup running.
 */
@QuarkusTest
@QuarkusTestResource(SuiteUnderBackup.class)
class BackupApiTest {
    private static final String PROBLEM = "application/problem+json";
    private static BackupEventsConsumer events;

    @Inject
    ReadOnlyLease lease;

    @BeforeAll
    static void listen() {
        events = new BackupEventsConsumer(SuiteUnderBackup.EVENTS_TOPIC);
    }

    @AfterAll
    static void stopListening() {
        if (events != null) {
            events.close();
        }
    }

    private static Maintenance maintenance() {
        return new Maintenance(SuiteUnderBackup.maintenanceUrl());
    }

    private static String start(String label, String mode) {
        return start(label, mode, Tokens.DEFAULT_USER);
    }

    private static String start(String label, String mode, String user) {
        return given().header("Authorization", Tokens.bearer(user))
                .contentType("application/json")
                .body(Map.of("label", label, "maintenance", mode))
                .post("/v1/backups")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private static JsonPath backup(String id) {
        return given().get("/v1/backups/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitFinished(String id) {
        await().atMost(Duration.ofSeconds(90))
                .until(() -> List.of("SUCCEEDED", "FAILED").contains(backup(id).getString("status")));
        return backup(id);
    }

    private static JsonPath succeeded(String label, String mode) {
        return succeeded(label, mode, Tokens.DEFAULT_USER);
    }

    private static JsonPath succeeded(String label, String mode, String user) {
        String id = start(label, mode, user);
        JsonPath done = awaitFinished(id);
        assertEquals("SUCCEEDED", done.getString("status"), () -> "backup failed: " + done.getString("error"));
        return done;
    }

    /**
     * The calls to maintenance-service carry backup-service's own token, renewed before it expires (SuiteUnderBackup
     * renews it once it is a second old): calls far enough apart in token time carry different tokens, and none
     * went out with no token or an expired one.
     */
    @Test
    void maintenanceCallsCarryTheServiceTokenRenewedBeforeItExpires() {
        int before = SentTokens.distinctTokens();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            lease.state(); // GET /v1/maintenance through MaintenanceClient
            return SentTokens.distinctTokens() >= before + 2;
        });
        List<SentTokens.Sent> sent = SentTokens.sent();
        for (SentTokens.Sent s : sent) {
            assertNotNull(s.token(), "a call to maintenance-service without a token at " + s.at());
            assertEquals("service-account-backup-service", s.principal());
            assertTrue(s.unexpired(), "an expired token sent at " + s.at());
        }
    }

    @Test
    void autoFlipsToReadOnlyDumpsVerifiesAndLiftsWhatItSet() throws IOException {
        assertEquals("READ_WRITE", maintenance().mode());
        JsonPath done = succeeded("auto backup", "auto");
        String id = done.getString("id");

        assertTrue(done.getBoolean("verified"));
        assertTrue(done.getBoolean("setReadOnly"));
        assertNotNull(done.get("epoch"));
        assertNotNull(done.get("timings.readOnlyWindowMs"));
        List<Map<String, Object>> artifacts = done.getList("artifacts");
        assertEquals(
                List.of(POSTING_DB, MAINTENANCE_DB),
                artifacts.stream().map(a -> a.get("database")).toList());
        for (Map<String, Object> artifact : artifacts) {
            Path file = DIR.resolve((String) artifact.get("file"));
            assertEquals(Files.size(file), ((Number) artifact.get("bytes")).longValue());
            assertEquals(Checksums.sha256(file), artifact.get("sha256"));
        }

        // The manifest proves the backup is the drained state: every snapshot taken inside one DRAINED window.
        Path folder = DIR.resolve((String) artifacts.get(0).get("file")).getParent();
        JsonPath manifest = JsonPath.from(folder.resolve("manifest.json").toFile());
        assertEquals(done.getLong("epoch"), manifest.getLong("epoch"));
        assertTrue(manifest.getString("serverVersion").startsWith("15"));
        assertEquals(List.of(true, false), manifest.getList("databases.frozen"));
        assertEquals(done.getLong("epoch"), manifest.getLong("drained.epoch"));
        assertEquals("DRAINED", manifest.getString("drained.phase"));
        assertEquals(List.of(), manifest.getList("drained.fenced"));
        assertEquals(done.getLong("epoch"), manifest.getLong("snapshotsTaken.epoch"));
        assertEquals("DRAINED", manifest.getString("snapshotsTaken.phase"));
        // auto: read-only ended with the snapshots; the dump ran while writes went on
        assertFalse(manifest.getBoolean("readOnlyThroughDump"));
        assertNull(manifest.get("afterDump"));
        assertNull(manifest.get("databases[0].unchanged"));
        long movements = TestDatabases.count(POSTING_DB, "select count(*) from stock_movements");
        assertEquals(movements, manifest.getLong("databases[0].rowCounts['public.stock_movements']"));
        assertEquals(movements, manifest.getLong("databases[0].atSnapshot.tables['public.stock_movements'].rows"));
        assertNotNull(manifest.getString("databases[0].snapshot"));

        // Read-only was asked in the backup's name, and lifted again, by backup-service with its own token.
        assertEquals("READ_WRITE", maintenance().mode());
        assertTrue(maintenance().history().contains(id), "the read-only reason names the backup");
        List<String> flippedBy = JsonPath.from(maintenance().history())
                .getList("findAll { it.reason != null && it.reason.contains('" + id + "') }.requestedBy");
        assertFalse(flippedBy.isEmpty(), maintenance().history());
        assertEquals(
                List.of("service-account-backup-service"),
                flippedBy.stream().distinct().toList());
        assertEquals(Tokens.DEFAULT_USER, done.getString("requestedBy"), "who started it: the token's user");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.poll().stream()
                        .filter(e -> e.contains(id))
                        .map(e -> JsonPath.from(e).getString("type"))
                        .toList()
                        .containsAll(List.of("STARTED", "VERIFIED", "SUCCEEDED")));

        String metrics = given().get(Management.metrics())
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(metrics.contains("backup_read_only_window_seconds_count"), metrics);
        assertTrue(metrics.contains("backup_duration_seconds_count"));
        assertTrue(metrics.contains("backup_failures_total"));
        assertFalse(metrics.contains("backup_last_success_timestamp_seconds 0.0"));
        assertFalse(metrics.contains("backup_size_bytes 0.0"));
    }

    @Test
    void aFlippedByteFailsVerification() throws IOException {
        JsonPath done = succeeded("to be corrupted", "auto");
        Path dump = DIR.resolve(done.getString("artifacts[0].file"));
        try (RandomAccessFile file = new RandomAccessFile(dump.toFile(), "rw")) {
            long middle = file.length() / 2;
            file.seek(middle);
            int b = file.read();
            file.seek(middle);
            file.write(b ^ 0xFF);
        }
        String id = done.getString("id");
        given().post("/v1/backups/" + id + "/verify").then().statusCode(202);
        JsonPath verified = awaitFinished(id);
        assertEquals("FAILED", verified.getString("status"));
        assertFalse(verified.getBoolean("verified"));
        assertTrue(verified.getString("error").contains("sha256"), verified.getString("error"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.poll().stream().anyMatch(e -> e.contains(id) && e.contains("\"FAILED\"")));
        // a corrupted backup is never restored
        given().contentType("application/json")
                .body("{}")
                .post("/v1/backups/" + id + "/restore")
                .then()
                .statusCode(409)
                .contentType(PROBLEM)
                .body("type", containsString("not-verified"));
    }

    @Test
    void aFailedDumpStillLiftsReadOnly() throws IOException {
        Files.createFile(CONTROL.resolve("fail"));
        try {
            String id = start("dump fails", "auto");
            JsonPath done = awaitFinished(id);
            assertEquals("FAILED", done.getString("status"));
            assertFalse(done.getBoolean("verified"));
            assertTrue(done.getString("error").contains("on purpose"), done.getString("error"));
            assertTrue(done.getBoolean("setReadOnly"));
            assertEquals("READ_WRITE", maintenance().mode());
            assertTrue(maintenance().history().contains(id));
            String metrics = given().get(Management.metrics()).then().extract().asString();
            assertFalse(metrics.contains("backup_failures_total 0.0"), metrics);
        } finally {
            Files.delete(CONTROL.resolve("fail"));
        }
    }

    /**
     * auto: read-only lasts only until every database's snapshot is exported; the dump runs with writes
     * going on, and what they write is not in the backup, which is exactly the state at the snapshots.
     */
    @Test
    void writesMadeDuringTheDumpAreNotInTheBackup() throws Exception {
        String marker = "during-dump-" + UUID.randomUUID().toString().substring(0, 8);
        long documents = TestDatabases.count(POSTING_DB, "select count(*) from documents");
        Files.createFile(CONTROL.resolve("hold"));
        String id;
        try {
            id = start("writes go on", "auto");
            // pg_dump is held, so the backup is RUNNING: its snapshots are taken, and read-only has ended already
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "RUNNING".equals(backup(id).getString("status"))
                            && "READ_WRITE".equals(maintenance().mode()));
            assertTrue(maintenance().history().contains("snapshots taken"), "read-only was lifted by the backup");
            given().contentType("application/json")
                    .body(Map.of("label", "second", "maintenance", "auto"))
                    .post("/v1/backups")
                    .then()
                    .statusCode(409)
                    .contentType(PROBLEM)
                    .body("type", equalTo("https://suite.dev/problems/backup-running"));
            TestDatabases.execute(
                    POSTING_DB,
                    "insert into documents (id, type, number, date, status)"
                            + " values (gen_random_uuid(), 'RECEIPT', '" + marker + "', date '2026-02-01', 'DRAFT')");
        } finally {
            Files.delete(CONTROL.resolve("hold"));
        }
        JsonPath done = awaitFinished(id);
        assertEquals("SUCCEEDED", done.getString("status"), done.getString("error"));
        assertTrue(done.getBoolean("verified"), "the restored copy matched the snapshot's row counts");
        Path dump = DIR.resolve(done.getString("artifacts[0].file"));
        JsonPath manifest = JsonPath.from(dump.resolveSibling("manifest.json").toFile());
        assertEquals(documents, manifest.getLong("databases[0].rowCounts['public.documents']"));
        assertEquals(documents, manifest.getLong("databases[0].atSnapshot.tables['public.documents'].rows"));
        assertEquals(documents + 1, TestDatabases.count(POSTING_DB, "select count(*) from documents"));
        String data = dumpedRows(dump, "documents");
        assertTrue(data.contains("N-1\t"), "the documents before the backup are in it");
        assertFalse(data.contains(marker), "the document written during the dump is not");
    }

    /** {@code maintenance: require}: read-only (the operator's) lasts through the dump, renewed, and is left as it was. */
    @Test
    void requireHoldsReadOnlyThroughTheDumpRenewingItsLease() throws IOException {
        maintenance().readOnlyAndAwaitDrained("operator's window", Duration.ofSeconds(6));
        JsonPath state = maintenance().state();
        long epoch = state.getLong("epoch");
        Files.createFile(CONTROL.resolve("hold"));
        String id;
        try {
            id = start("held", "require");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "RUNNING".equals(backup(id).getString("status")));
            assertEquals("backup:" + id, maintenance().state().getString("heldBy"));
            // An operator cannot lift read-only under a running backup without forcing it.
            assertEquals(409, maintenance().readWrite(false));

            // The lease (6 s) is renewed: the system stays read-only, same epoch, well past the first expiry.
            Instant renewedPast = Instant.parse(state.getString("expiresAt")).plusSeconds(6);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Instant.parse(maintenance().state().getString("expiresAt"))
                            .isAfter(renewedPast));
            JsonPath later = maintenance().state();
            assertEquals("READ_ONLY", later.getString("mode"));
            assertEquals(epoch, later.getLong("epoch"));
        } finally {
            Files.delete(CONTROL.resolve("hold"));
        }
        try {
            JsonPath done = awaitFinished(id);
            assertEquals("SUCCEEDED", done.getString("status"), done.getString("error"));
            JsonPath manifest = JsonPath.from(DIR.resolve(done.getString("artifacts[0].file"))
                    .resolveSibling("manifest.json")
                    .toFile());
            assertTrue(manifest.getBoolean("readOnlyThroughDump"));
            assertEquals("DRAINED", manifest.getString("afterDump.phase"));
            assertTrue(manifest.getBoolean("databases[0].unchanged"));
            // the operator's read-only stays; only the backup's hold is gone
            JsonPath after = maintenance().state();
            assertEquals("READ_ONLY", after.getString("mode"));
            assertEquals(epoch, after.getLong("epoch"));
            assertNull(after.get("heldBy"));
        } finally {
            maintenance().readWrite(true);
        }
    }

    /** The rows of {@code table} in a dump, as pg_restore prints them (COPY text: tab-separated). */
    private static String dumpedRows(Path dump, String table) throws Exception {
        Process process = new ProcessBuilder(
                        "pg_restore", "--data-only", "--table=" + table, "-f", "-", dump.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), out);
        return out;
    }

    @Test
    void restoreNeedsReadOnlyThenPutsTheBackedUpDataBack() {
        JsonPath done = succeeded("before the change", "auto", "operator");
        String id = done.getString("id");
        assertEquals("operator", done.getString("requestedBy"));
        long movements = TestDatabases.count(POSTING_DB, "select count(*) from stock_movements");

        // Written after the backup: a restore takes it away again.
        TestDatabases.execute(POSTING_DB, """
                insert into documents (id, type, number, date, status) values (gen_random_uuid(), 'RECEIPT', 'late', current_date, 'DRAFT')""");
        given().contentType("application/json")
                .body("{}")
                .post("/v1/backups/" + id + "/restore")
                .then()
                .statusCode(409)
                .contentType(PROBLEM)
                .body("type", equalTo("https://suite.dev/problems/read-write"));

        maintenance().readOnlyAndAwaitDrained("restore test " + id);
        try {
            // restore is the admin's: an operator's is refused and starts nothing
            AuthRefusals.assertForbidden("POST", "/v1/backups/" + id + "/restore", "{}", "operator");
            assertNull(backup(id).get("restore"));
            given().header("Authorization", Tokens.bearer("admin"))
                    .contentType("application/json")
                    .body("{}")
                    .post("/v1/backups/" + id + "/restore")
                    .then()
                    .statusCode(202)
                    .body("databases", equalTo(List.of(POSTING_DB)));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> "SUCCEEDED".equals(backup(id).getString("restore.status")));
            assertEquals("admin", backup(id).getString("restore.requestedBy"));
            assertEquals(0, TestDatabases.count(POSTING_DB, "select count(*) from documents where number = 'late'"));
            assertEquals(movements, TestDatabases.count(POSTING_DB, "select count(*) from stock_movements"));
            assertEquals(0, TestDatabases.count(POSTING_DB, "select count(*) from register_balance_mismatches"));

            // "require" runs on the drained system and leaves someone else's read-only alone; so does "auto".
            long epoch = maintenance().state().getLong("epoch");
            JsonPath required = succeeded("required", "require");
            assertFalse(required.getBoolean("setReadOnly"));
            assertEquals(epoch, required.getLong("epoch"));
            JsonPath auto = succeeded("auto while read-only", "auto");
            assertFalse(auto.getBoolean("setReadOnly"));
            JsonPath state = maintenance().state();
            assertEquals("READ_ONLY", state.getString("mode"));
            assertEquals(epoch, state.getLong("epoch"));
        } finally {
            assertEquals(202, maintenance().readWrite(false));
        }
    }

    /**
     * The maintenance database is never restored, even when named: restored live, it rolled the epochs back
     * (28 to 10), and every write path ignored the next read-only flip. Nothing is restored, the epoch stays.
     */
    @Test
    void restoreRefusesTheMaintenanceDatabase() {
        String id = succeeded("with the maintenance database", "auto").getString("id");
        maintenance().readOnlyAndAwaitDrained("restore refusal test " + id);
        try {
            long epoch = maintenance().state().getLong("epoch");
            for (List<String> databases : List.of(List.of(MAINTENANCE_DB), List.of(POSTING_DB, MAINTENANCE_DB))) {
                given().contentType("application/json")
                        .body(Map.of("databases", databases))
                        .post("/v1/backups/" + id + "/restore")
                        .then()
                        .statusCode(400)
                        .contentType(PROBLEM)
                        .body("type", equalTo(VALIDATION))
                        .body("violations[0].field", equalTo("databases"))
                        .body("detail", containsString(MAINTENANCE_DB));
            }
            assertNull(backup(id).get("restore.status"));
            JsonPath state = maintenance().state();
            assertEquals("DRAINED", state.getString("phase"));
            assertEquals(epoch, state.getLong("epoch"));
        } finally {
            assertEquals(202, maintenance().readWrite(false));
        }
    }

    /**
     * A restore holds read-only for its whole run: it joins the operator's window with its hold (an operator's
     * read-write is refused meanwhile) and renews it, so a window shorter than the restore does not end under
     * it; at the end it releases the hold and leaves the operator's read-only as it was.
     */
    @Test
    void restoreHoldsReadOnlyRenewedForItsWholeRun() throws IOException {
        String id = succeeded("restored slowly", "auto").getString("id");
        maintenance().readOnlyAndAwaitDrained("short window " + id, Duration.ofSeconds(6));
        JsonPath before = maintenance().state();
        long epoch = before.getLong("epoch");
        Files.createFile(CONTROL.resolve("hold-restore"));
        try {
            given().contentType("application/json")
                    .body("{}")
                    .post("/v1/backups/" + id + "/restore")
                    .then()
                    .statusCode(202);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ("backup:" + id).equals(maintenance().state().getString("heldBy")));
            assertEquals(409, maintenance().readWrite(false));
            // renewed well past the end of the 6 s window
            Instant renewedPast = Instant.parse(before.getString("expiresAt")).plusSeconds(6);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Instant.parse(maintenance().state().getString("expiresAt"))
                            .isAfter(renewedPast));
            JsonPath during = maintenance().state();
            assertEquals("READ_ONLY", during.getString("mode"));
            assertEquals(epoch, during.getLong("epoch"));
            assertEquals("RUNNING", backup(id).getString("restore.status"));
        } finally {
            Files.delete(CONTROL.resolve("hold-restore"));
        }
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> "SUCCEEDED".equals(backup(id).getString("restore.status")));
            JsonPath after = maintenance().state();
            assertEquals("READ_ONLY", after.getString("mode"));
            assertEquals(epoch, after.getLong("epoch"));
            assertNull(after.get("heldBy"));
            assertTrue(maintenance().history().contains("restore from backup " + id));
        } finally {
            maintenance().readWrite(true);
        }
    }

    private static final String VALIDATION = "https://suite.dev/problems/validation";

    @Inject
    Retention retention;

    /**
     * Retention on a real catalog and folder: a backup past {@code max-age} (30 days; its start is
     * moved back 40 days) loses its files and its row, the newest one keeps both.
     */
    @Test
    void retentionDeletesTheFilesAndRowOfABackupPastMaxAgeAndKeepsTheNewest() {
        JsonPath old = succeeded("old backup", "auto");
        JsonPath newest = succeeded("newest backup", "auto");
        Path oldFolder = folder(old);
        Path newestFolder = folder(newest);
        assertTrue(Files.isDirectory(oldFolder));
        TestDatabases.execute(
                "backup_test",
                "UPDATE backup SET started_at = now() - interval '40 days' WHERE id = '"
                        + UUID.fromString(old.getString("id")) + "'");

        retention.apply();

        given().get("/v1/backups/" + old.getString("id")).then().statusCode(404);
        assertFalse(Files.exists(oldFolder), oldFolder + " is still there");
        assertEquals("SUCCEEDED", backup(newest.getString("id")).getString("status"));
        assertTrue(Files.isDirectory(newestFolder));
    }

    private static Path folder(JsonPath backup) {
        List<Map<String, Object>> artifacts = backup.getList("artifacts");
        return DIR.resolve((String) artifacts.get(0).get("file")).getParent();
    }

    /**
     * DESIGN.md "Security": strangers get 401 everywhere; reading is the reader's, starting and verifying a backup
     * the operator's, restoring the admin's; a refused request starts nothing.
     */
    @Test
    void eachRoleMayDoItsPartAndARefusalStartsNothing() {
        String some = "6d4f1a7e-0000-4000-8000-000000000000";
        // retention may prune old backups meanwhile: what must not happen is a new one
        List<String> before =
                given().get("/v1/backups").then().statusCode(200).extract().path("backups.id");
        String create = "{\"label\":\"refused\",\"maintenance\":\"auto\"}";
        AuthRefusals.assertStrangersRefused("GET", "/v1/backups", null, "reader");
        AuthRefusals.assertStrangersRefused("GET", "/v1/backups/" + some, null, "reader");
        AuthRefusals.assertStrangersRefused("POST", "/v1/backups", create, "operator");
        AuthRefusals.assertStrangersRefused("POST", "/v1/backups/" + some + "/verify", null, "operator");
        AuthRefusals.assertStrangersRefused("POST", "/v1/backups/" + some + "/restore", "{}", "admin");
        for (String user : List.of("reader", "clerk")) {
            AuthRefusals.assertForbidden("POST", "/v1/backups", create, user);
            AuthRefusals.assertForbidden("POST", "/v1/backups/" + some + "/verify", null, user);
        }
        AuthRefusals.assertForbidden("POST", "/v1/backups/" + some + "/restore", "{}", "operator");
        given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/backups")
                .then()
                .statusCode(200)
                .body("backups.id", everyItem(in(before)));
        given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/backups/" + some)
                .then()
                .statusCode(404);
        assertEquals("READ_WRITE", maintenance().mode(), "no refused backup flipped anything");
    }

    @Test
    void badInputGetsProblemJson() {
        given().contentType("application/json")
                .body(Map.of("label", "x", "maintenance", "sometimes"))
                .post("/v1/backups")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", containsString("sometimes"))
                .body("type", equalTo(VALIDATION));
        given().contentType("application/json")
                .post("/v1/backups")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(VALIDATION));
        given().contentType("application/json")
                .body("{\"label\":")
                .post("/v1/backups")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(VALIDATION));
        given().contentType("application/json")
                .body(Map.of("label", "x", "maintenance", "require"))
                .post("/v1/backups")
                .then()
                .statusCode(409)
                .contentType(PROBLEM)
                .body("type", equalTo("https://suite.dev/problems/not-drained"));
        given().get("/v1/backups/6d4f1a7e-0000-4000-8000-000000000000")
                .then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("type", equalTo("https://suite.dev/problems/not-found"));
        given().get("/v1/backups/not-an-id").then().statusCode(404).contentType(PROBLEM);
        given().contentType("application/json")
                .body("{}")
                .post("/v1/backups/6d4f1a7e-0000-4000-8000-000000000000/restore")
                .then()
                .statusCode(404)
                .contentType(PROBLEM);
        given().post("/v1/backups/6d4f1a7e-0000-4000-8000-000000000000/verify")
                .then()
                .statusCode(404)
                .contentType(PROBLEM);
        given().get("/v1/backups").then().statusCode(200);
        assertNotEquals("READ_ONLY", maintenance().mode());
    }
}
