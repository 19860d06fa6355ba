package io.suite.posting;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.suite.testing.AuthRefusals;
import io.suite.testing.Management;
import io.suite.testing.ServiceProcess;
import io.suite.testing.ServiceSmokeTest;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packaged artifact as it ships (target/quarkus-app, or the native executable where GraalVM builds one with
 * -Dnative), in the prod profile: it starts only if Flyway finds its migrations in the artifact (posting_test is
 * migrated already, and Flyway refuses to start on applied migrations it cannot find), is ready, refuses a caller
 * without a token, and posts a document through lock-service with its own client-credentials token. The
 * Idempotency-Key replay reads back the answer it stored as JSON. lock-service and the topics come from
 * PostingTestResources, the module's test resource for every test.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedArtifactIT.TestDatabase.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = Management.class, restrictToAnnotatedClass = true)
class PackagedArtifactIT {
    /** What the test profile sets and prod does not: the tests' database, and the local realm's client secret. */
    public static class TestDatabase implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(ServiceProcess.localRealm("posting-service"));
            config.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/posting_test");
            config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/posting_test");
            return config;
        }

        @Override
        public void stop() {}
    }

    @Test
    void isReadyAndServesMetricsAndItsApi() {
        ServiceSmokeTest.assertServes("writeguard_epoch", "/v1/documents");
    }

    @Test
    void refusesACallerWithoutAValidToken() {
        AuthRefusals.assertForgedOrMissingTokensRefused("GET", "/v1/balances", null, "reader");
    }

    @Test
    void postsADocumentUnderAManagedLockAndReplaysItsAnswer() {
        String item = Unique.name("pkg-item");
        String body = Api.doc("RECEIPT", true, Api.line(item, "W1", 7));
        AtomicReference<String> key = new AtomicReference<>();
        // the write guard refuses writes until it has heard READ_WRITE (each try with a key of its own)
        String id = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> create(key.updateAndGet(k -> Unique.name("pkg-key")), body), r -> r.statusCode() == 201)
                .then()
                .body("status", equalTo("POSTED"))
                .body("createdBy", equalTo("clerk"))
                .extract()
                .path("id");
        create(key.get(), body).then().statusCode(201).body("id", equalTo(id));
        given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/documents/" + id)
                .then()
                .statusCode(200)
                .body("status", equalTo("POSTED"));
        String quantity = given().header("Authorization", Tokens.bearer("reader"))
                .queryParam("item", item)
                .queryParam("warehouse", "W1")
                .get("/v1/balances")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("balances[0].quantity");
        assertEquals(0, new BigDecimal(quantity).compareTo(BigDecimal.valueOf(7)), quantity);
    }

    private static Response create(String key, String body) {
        return given().header("Authorization", Tokens.bearer("clerk"))
                .header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/documents");
    }
}
