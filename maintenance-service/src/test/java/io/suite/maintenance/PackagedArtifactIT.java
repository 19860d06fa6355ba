package io.suite.maintenance;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.suite.testing.AuthRefusals;
import io.suite.testing.Management;
import io.suite.testing.ServiceSmokeTest;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packaged artifact as it ships (target/quarkus-app, or the native executable where GraalVM builds one with
 * -Dnative), in the prod profile, on a fresh schema (UniqueMaintenance, the module's one profile): it is ready only
 * if Flyway found its migrations in the artifact, refuses a caller without a token, and flips to read-only and back,
 * recording who did it in its history (HistoryEntry and the published state are written with Jackson).
 */
@QuarkusIntegrationTest
@TestProfile(UniqueMaintenance.class)
@QuarkusTestResource(value = PackagedArtifactIT.TestDatabase.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = Management.class, restrictToAnnotatedClass = true)
class PackagedArtifactIT {
    /** What the test profile sets and prod does not: the tests' database. */
    public static class TestDatabase implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            String reactive = "postgresql://127.0.0.1:5432/maintenance_test";
            return Map.of(
                    "quarkus.datasource.reactive.url", reactive,
                    "quarkus.datasource.fence.reactive.url", reactive,
                    "quarkus.datasource.jdbc.url", "jdbc:" + reactive);
        }

        @Override
        public void stop() {}
    }

    @Test
    void isReadyAndServesMetricsAndItsApi() {
        ServiceSmokeTest.assertServes("maintenance_epoch", "/v1/maintenance");
    }

    @Test
    void refusesACallerWithoutAValidToken() {
        AuthRefusals.assertForgedOrMissingTokensRefused("GET", "/v1/maintenance", null, "reader");
    }

    @Test
    void flipsToReadOnlyAndBackAndRecordsWhoDidIt() {
        flip("read-only", Map.of("reason", "packaged", "durationMs", 60000, "drainTimeoutMs", 1000))
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_ONLY"))
                .body("requestedBy", equalTo("operator"));
        // no write path follows this run's topics: drained at once
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        asReader().get("/v1/maintenance").then().statusCode(200).body("phase", equalTo("DRAINED")));
        flip("read-write", Map.of("reason", "packaged done"))
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_WRITE"));
        JsonPath history = asReader()
                .get("/v1/maintenance/history?limit=2")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals("read-write", history.getString("[0].action"));
        assertEquals("operator", history.getString("[0].requestedBy"));
        assertEquals("packaged", history.getString("[1].reason"));
    }

    private static Response flip(String to, Map<String, Object> body) {
        return given().header("Authorization", Tokens.bearer("operator"))
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/maintenance/" + to);
    }

    private static RequestSpecification asReader() {
        return given().header("Authorization", Tokens.bearer("reader"));
    }
}
