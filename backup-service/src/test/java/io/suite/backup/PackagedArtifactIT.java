package io.suite.backup;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.suite.testing.AuthRefusals;
import io.suite.testing.Management;
import io.suite.testing.ServiceProcess;
import io.suite.testing.ServiceSmokeTest;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged artifact as it ships (target/quarkus-app, or the native executable where GraalVM builds one with
 * -Dnative), in the prod profile, on a catalog database of its own (Flyway must find its migrations in the artifact):
 * it is ready, refuses a caller without a token, takes a backup through maintenance-service with its own
 * client-credentials token, and verifies it again, which reads the backup's manifest.json back with Jackson (the
 * manifest records are registered for reflection, ManifestReflection). maintenance-service, the databases backed up
 * and the pg_dump gate come from SuiteUnderBackup, the module's test resource for every test.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedArtifactIT.OwnCatalog.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = Management.class, restrictToAnnotatedClass = true)
class PackagedArtifactIT {
    /** What the test profile sets and prod does not: a catalog database (this run's own), the local client secret. */
    public static class OwnCatalog implements QuarkusTestResourceLifecycleManager {
        private static final String CATALOG = SuiteUnderBackup.RUN + "_pkg_catalog";

        @Override
        public Map<String, String> start() {
            TestDatabases.create(CATALOG);
            // dropped when this JVM exits: the artifact, connected to it, may still run when stop() is called (and
            // only the owner may end its sessions)
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TestDatabases.drop(CATALOG)));
            Map<String, String> config = new HashMap<>(ServiceProcess.localRealm("backup-service"));
            config.put("quarkus.datasource.reactive.url", TestDatabases.reactiveUrl(CATALOG));
            config.put("quarkus.datasource.jdbc.url", TestDatabases.jdbcUrl(CATALOG));
            return config;
        }

        @Override
        public void stop() {}
    }

    @Test
    void isReadyAndServesMetricsAndItsApi() {
        ServiceSmokeTest.assertServes("backup_last_success_timestamp_seconds", "/v1/backups");
    }

    @Test
    void refusesACallerWithoutAValidToken() {
        AuthRefusals.assertForgedOrMissingTokensRefused("GET", "/v1/backups", null, "reader");
    }

    @Test
    void takesABackupAndVerifiesItAgainFromItsManifest() {
        String id = given().header("Authorization", Tokens.bearer("operator"))
                .contentType(ContentType.JSON)
                .body(Map.of("label", "packaged", "maintenance", "auto"))
                .post("/v1/backups")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        JsonPath done = awaitFinished(id);
        assertEquals("SUCCEEDED", done.getString("status"), () -> "backup failed: " + done.getString("error"));
        assertEquals("operator", done.getString("requestedBy"));
        assertTrue(done.getBoolean("verified"));

        given().header("Authorization", Tokens.bearer("operator"))
                .post("/v1/backups/" + id + "/verify")
                .then()
                .statusCode(202)
                .body("status", equalTo("VERIFYING"));
        JsonPath again = awaitFinished(id);
        assertEquals("SUCCEEDED", again.getString("status"), () -> "verification failed: " + again.getString("error"));
        assertTrue(again.getBoolean("verified"));
    }

    private static JsonPath backup(String id) {
        return given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/backups/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static JsonPath awaitFinished(String id) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> List.of("SUCCEEDED", "FAILED").contains(backup(id).getString("status")));
        return backup(id);
    }
}
