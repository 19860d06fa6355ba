package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.suite.testing.AuthRefusals;
import io.suite.testing.Kafka;
import io.suite.testing.Management;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The maintenance API against real PostgreSQL (own schema) and Kafka (own topics). */
@QuarkusTest
@TestProfile(UniqueMaintenance.class)
class MaintenanceApiTest {
    @Inject
    ObjectMapper json;

    @Inject
    FlipRehearsal rehearsal;

    @ConfigProperty(name = "maintenance.state-topic")
    String stateTopic;

    /** The start-up warm-up of the first flip runs to its end (the role check on GET once stopped it half-way). */
    @Test
    void theFirstFlipIsRehearsedAtStartUp() {
        assertTrue(rehearsal.rehearsed());
        // and its request, once the HTTP server listens: a token that cannot pass, refused 401
        await().atMost(Duration.ofSeconds(30)).until(rehearsal::requestRehearsed);
    }

    @ConfigProperty(name = "maintenance.status-topic")
    String statusTopic;

    @Test
    void everyChangeIsANewEpochStoredWithItsHistoryAndPublished() {
        long e0 = readWrite(Map.of("force", true)).extract().jsonPath().getLong("epoch");
        given().get("/v1/maintenance")
                .then()
                .statusCode(200)
                .body("mode", equalTo("READ_WRITE"))
                .body("phase", equalTo("ACTIVE"));

        // Who asks is the token's user: a name in the body or in X-Requested-By is not taken.
        given().contentType(ContentType.JSON)
                .header("Authorization", Tokens.bearer("operator"))
                .header("X-Requested-By", "alice")
                .body(Map.of("reason", "upgrade", "durationMs", 600000, "drainTimeoutMs", 5000, "requestedBy", "alice"))
                .post("/v1/maintenance/read-only")
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_ONLY"))
                .body("epoch", equalTo((int) e0 + 1))
                .body("requestedBy", equalTo("operator"))
                .body("reason", equalTo("upgrade"))
                .body("drainTimeoutMs", equalTo(5000))
                .body("expiresAt", notNullValue());
        given().contentType(ContentType.JSON)
                .header("Authorization", Tokens.bearer("admin"))
                .body(Map.of("reason", "finished", "requestedBy", "bob"))
                .post("/v1/maintenance/read-write")
                .then()
                .statusCode(202)
                .body("epoch", equalTo((int) e0 + 2))
                .body("requestedBy", equalTo("admin"));

        JsonPath history = given().get("/v1/maintenance/history?limit=2")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(e0 + 2, history.getLong("[0].epoch"));
        assertEquals("read-write", history.getString("[0].action"));
        assertEquals("admin", history.getString("[0].requestedBy"));
        assertEquals("finished", history.getString("[0].reason"));
        assertEquals(e0 + 1, history.getLong("[1].epoch"));
        assertEquals("operator", history.getString("[1].requestedBy"));
        assertEquals("upgrade", history.getString("[1].reason"));
        assertTrue(Instant.parse(history.getString("[1].at"))
                .isBefore(Instant.now().plusSeconds(1)));

        // Both changes went through the real broker, in order, key "state".
        await().atMost(Duration.ofSeconds(10))
                .until(() -> published(e0 + 1, "READ_ONLY") && published(e0 + 2, "READ_WRITE"));
        given().get(Management.metrics())
                .then()
                .body(containsString("maintenance_epoch " + (e0 + 2) + ".0"))
                .body(containsString("maintenance_mode 0.0"))
                .body(containsString("maintenance_phase 0.0"))
                .body(containsString("maintenance_write_paths{state=\"lost\"}"));
    }

    @Test
    void aBackupHoldRefusesReadWriteUntilReleasedOrForced() {
        readWrite(Map.of("force", true));
        long epoch = readOnly(Map.of("reason", "backup 1", "heldBy", "backup:t1", "durationMs", 60000))
                .body("heldBy", equalTo("backup:t1"))
                .extract()
                .jsonPath()
                .getLong("epoch");

        given().contentType(ContentType.JSON)
                .body(Map.of("reason", "done"))
                .post("/v1/maintenance/read-write")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://suite.dev/problems/backup-in-progress"))
                .body("heldBy", equalTo("backup:t1"));
        given().contentType(ContentType.JSON)
                .body(Map.of("epoch", epoch, "durationMs", 120000, "heldBy", "backup:t1"))
                .post("/v1/maintenance/read-only/renew")
                .then()
                .statusCode(202)
                .body("epoch", equalTo((int) epoch));
        given().contentType(ContentType.JSON)
                .body(Map.of("epoch", epoch - 1))
                .post("/v1/maintenance/read-only/renew")
                .then()
                .statusCode(409)
                .body("type", equalTo("https://suite.dev/problems/not-read-only"));

        readWrite(Map.of("force", true, "reason", "operator override")).body("epoch", equalTo((int) epoch + 1));
        given().get("/v1/maintenance/history?limit=1").then().body("[0].forced", equalTo(true));
        given().contentType(ContentType.JSON)
                .body(Map.of())
                .post("/v1/maintenance/read-only/renew")
                .then()
                .statusCode(409);

        // A backup that did not set read-only releases its hold and leaves the mode alone.
        readOnly(Map.of("reason", "operator"));
        readOnly(Map.of("heldBy", "backup:t2"));
        given().contentType(ContentType.JSON)
                .body(Map.of("heldBy", "backup:t2"))
                .post("/v1/maintenance/read-only/release")
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_ONLY"))
                .body("heldBy", nullValue())
                .body("reason", equalTo("operator"));
        readWrite(Map.of("reason", "done")).body("mode", equalTo("READ_WRITE"));
    }

    @Test
    void readOnlyEndsByItselfAfterItsDuration() {
        readWrite(Map.of("force", true));
        long epoch = readOnly(Map.of("reason", "short", "durationMs", 1000))
                .extract()
                .jsonPath()
                .getLong("epoch");
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("mode", equalTo("READ_WRITE"))
                        .body("reason", equalTo("expired"))
                        .body("epoch", equalTo((int) epoch + 1)));
        given().get("/v1/maintenance/history?limit=1")
                .then()
                .body("[0].action", equalTo("expired"))
                .body("[0].requestedBy", equalTo("maintenance-service"));
    }

    /**
     * DESIGN.md "Security": reads are the reader's, flips the operator's, {@code "force":true} the admin's; strangers
     * get 401, the wrong role 403, and neither changes the state or its history.
     */
    @Test
    void eachRoleMayDoItsPartAndARefusalChangesNothing() {
        readWrite(Map.of("force", true));
        String holder = "{\"reason\":\"backup\",\"heldBy\":\"backup:roles\",\"durationMs\":60000}";
        long held = as("operator", "/read-only", holder)
                .statusCode(202)
                .extract()
                .jsonPath()
                .getLong("epoch");
        String before = given().get("/v1/maintenance/history").then().extract().asString();

        for (String path : List.of("/v1/maintenance", "/v1/maintenance/history")) {
            AuthRefusals.assertStrangersRefused("GET", path, null, "reader");
            given().header("Authorization", Tokens.bearer("reader"))
                    .get(path)
                    .then()
                    .statusCode(200);
        }
        Map<String, String> flips = Map.of(
                "/read-only", "{\"reason\":\"x\"}",
                "/read-only/renew", "{\"durationMs\":60000}",
                "/read-only/release", "{\"heldBy\":\"backup:roles\"}",
                "/read-write", "{\"heldBy\":\"backup:roles\"}");
        flips.forEach((path, body) -> {
            AuthRefusals.assertStrangersRefused("POST", "/v1/maintenance" + path, body, "operator");
            AuthRefusals.assertForbidden("POST", "/v1/maintenance" + path, body, "reader");
            AuthRefusals.assertForbidden("POST", "/v1/maintenance" + path, body, "clerk");
        });
        // an operator may not force, held or not; the admin may
        String force = "{\"reason\":\"override\",\"force\":true}";
        AuthRefusals.assertForbidden("POST", "/v1/maintenance/read-write", force, "operator");
        AuthRefusals.assertForbidden(
                "POST", "/v1/maintenance/read-write", "{\"force\":true,\"heldBy\":\"backup:roles\"}", "operator");
        given().get("/v1/maintenance")
                .then()
                .body("mode", equalTo("READ_ONLY"))
                .body("epoch", equalTo((int) held))
                .body("heldBy", equalTo("backup:roles"));
        assertEquals(
                before, given().get("/v1/maintenance/history").then().extract().asString(), "nothing changed");

        as("operator", "/read-only/renew", "{\"durationMs\":60000,\"heldBy\":\"backup:roles\"}")
                .statusCode(202)
                .body("epoch", equalTo((int) held));
        as("admin", "/read-write", force)
                .statusCode(202)
                .body("mode", equalTo("READ_WRITE"))
                .body("requestedBy", equalTo("admin"));
        given().get("/v1/maintenance/history?limit=1")
                .then()
                .body("[0].forced", equalTo(true))
                .body("[0].requestedBy", equalTo("admin"));
        as("operator", "/read-only", "{\"reason\":\"operator\"}").statusCode(202);
        as("operator", "/read-write", "{\"reason\":\"done\"}").statusCode(202).body("requestedBy", equalTo("operator"));
    }

    private static ValidatableResponse as(String user, String path, String body) {
        return given().header("Authorization", Tokens.bearer(user))
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/maintenance" + path)
                .then()
                .log()
                .ifValidationFails();
    }

    private static final String VALIDATION = "https://suite.dev/problems/validation";

    @Test
    void badInputIs400ProblemAndChangesNothing() {
        long epoch = readWrite(Map.of("force", true)).extract().jsonPath().getLong("epoch");
        for (Object body : new Object[] {
            Map.of("durationMs", 5),
            Map.of("drainTimeoutMs", -1),
            Map.of("durationMs", Long.MAX_VALUE),
            Map.of("heldBy", "not a holder"),
            "{not json",
            "[1,2]"
        }) {
            given().contentType(ContentType.JSON)
                    .body(body)
                    .post("/v1/maintenance/read-only")
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo(VALIDATION));
        }
        given().contentType(ContentType.JSON)
                .body(Map.of("heldBy", ""))
                .post("/v1/maintenance/read-only/release")
                .then()
                .statusCode(400)
                .body("type", equalTo(VALIDATION));
        given().contentType(ContentType.JSON)
                .body(Map.of("force", "maybe"))
                .post("/v1/maintenance/read-write")
                .then()
                .statusCode(400)
                .body("type", equalTo(VALIDATION));
        given().get("/v1/maintenance/history?limit=0").then().statusCode(400).body("type", equalTo(VALIDATION));
        given().get("/v1/maintenance")
                .then()
                .body("epoch", equalTo((int) epoch))
                .body("mode", equalTo("READ_WRITE"));
    }

    @Test
    void phaseGoesDrainedWhenEveryWritePathDrainedAndASilentOneHoldsItBack() throws Exception {
        long rw = readWrite(Map.of("force", true)).extract().jsonPath().getLong("epoch");
        heartbeat("path-a", rw, false, 1);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> given().get("/v1/maintenance").then().body("writePaths.instance", hasItem("path-a")));

        long ro = readOnly(Map.of("reason", "drain test", "durationMs", 600000))
                .extract()
                .jsonPath()
                .getLong("epoch");
        given().get("/v1/maintenance").then().body("phase", equalTo("DRAINING"));
        heartbeat("path-a", ro, true, 0);
        heartbeat("path-b", ro, false, 2);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.find { it.instance == 'path-b' }.state", equalTo("live"))
                        .body("phase", equalTo("DRAINING")));
        heartbeat("path-b", ro, true, 0);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("phase", equalTo("DRAINED"))
                        .body("writePaths.find { it.instance == 'path-b' }.state", equalTo("drained")));
        given().get(Management.metrics())
                .then()
                .body(containsString("maintenance_phase 2.0"))
                .body(containsString("maintenance_drain_seconds_bucket"));

        // path-c never drains, then falls silent: lost, and a lost path is not drained (it may wake
        // with a write in flight). Its lease (10 min) is not over, so it cannot be fenced yet: DRAINING.
        heartbeat("path-c", ro, false, 3, 600_000);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance").then().body("phase", equalTo("DRAINING")));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.find { it.instance == 'path-c' }.state", equalTo("lost"))
                        .body("phase", equalTo("DRAINING"))
                        .body("fenced", empty()));
        given().get(Management.metrics()).then().body(containsString("maintenance_write_paths{state=\"lost\"} 1.0"));
        // Its tombstone (it stopped cleanly): forgotten at once, neither lost nor holding DRAINED back.
        tombstone("path-c");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.instance", not(hasItem("path-c")))
                        .body("phase", equalTo("DRAINED"))
                        .body("fenced", empty()));
        given().get(Management.metrics()).then().body(containsString("maintenance_write_paths{state=\"lost\"} 0.0"));
        readWrite(Map.of("reason", "done"));
    }

    @Test
    void aTombstoneForgetsAPathAtOnceSoARollingUpdateLosesNone() throws Exception {
        long rw = readWrite(Map.of("force", true)).extract().jsonPath().getLong("epoch");
        heartbeat("path-old", rw, false, 0);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.find { it.instance == 'path-old' }.state", equalTo("live")));
        tombstone("path-old");
        heartbeat("path-new", rw, false, 0);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.instance", hasItem("path-new"))
                        .body("writePaths.instance", not(hasItem("path-old"))));
        // Past lost-after (2 s in tests) path-old would be lost had it not said goodbye: it stays forgotten.
        tombstone("path-new");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        given().get("/v1/maintenance").then().body("writePaths.instance", not(hasItem("path-new"))));
    }

    @Test
    void theStateIsConfirmedEverySecondAndADeletedTopicIsFilledAgain() throws Exception {
        long epoch = readOnly(Map.of("reason", "confirm test", "durationMs", 600000))
                .extract()
                .jsonPath()
                .getLong("epoch");
        // Confirmations: the same epoch again and again, each with the time it was sent.
        await().atMost(Duration.ofSeconds(10)).until(() -> confirmations(epoch).size() >= 2);
        List<Instant> times = confirmations(epoch);
        assertTrue(times.get(times.size() - 1).isAfter(times.get(0)), times.toString());
        // The flip's own record and the confirmations carry the same state to the digit, so a write path applies
        // the flip once and then only renews its lease (the flip's since and expiresAt once had nanoseconds, the
        // confirmations read PostgreSQL's microseconds: every write path applied each flip twice).
        Set<JsonNode> states = states(epoch);
        assertEquals(1, states.size(), states.toString());

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", Kafka.SERVERS))) {
            admin.deleteTopics(List.of(stateTopic)).all().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() ->
                            admin.listTopics().names().get(5, TimeUnit.SECONDS).contains(stateTopic)
                                    && !confirmations(epoch).isEmpty());
            // Created again as it must be: compacted (a consumer's metadata request may have auto-created it).
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, stateTopic);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertEquals(
                            "compact",
                            admin.describeConfigs(List.of(topic))
                                    .all()
                                    .get(5, TimeUnit.SECONDS)
                                    .get(topic)
                                    .get("cleanup.policy")
                                    .value()));
        }
        readWrite(Map.of("reason", "done"));
    }

    private ValidatableResponse readOnly(Map<String, Object> body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/v1/maintenance/read-only")
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_ONLY"));
    }

    private ValidatableResponse readWrite(Map<String, Object> body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/v1/maintenance/read-write")
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_WRITE"));
    }

    private boolean published(long epoch, String mode) throws Exception {
        for (var r : Kafka.readAll(stateTopic)) {
            JsonNode s = json.readTree(r.value());
            if ("state".equals(r.key())
                    && s.get("epoch").asLong() == epoch
                    && s.get("mode").asText().equals(mode)) {
                return true;
            }
        }
        return false;
    }

    /** The distinct states of {@code epoch} on the state topic, confirmedAt left out. */
    private Set<JsonNode> states(long epoch) throws Exception {
        Set<JsonNode> out = new HashSet<>();
        for (var r : Kafka.readAll(stateTopic)) {
            ObjectNode s = (ObjectNode) json.readTree(r.value());
            if (s.get("epoch").asLong() == epoch) {
                s.remove("confirmedAt");
                out.add(s);
            }
        }
        return out;
    }

    /** The confirmedAt of every record of {@code epoch} on the state topic, in order. */
    private List<Instant> confirmations(long epoch) throws Exception {
        List<Instant> out = new ArrayList<>();
        for (var r : Kafka.readAll(stateTopic)) {
            JsonNode s = json.readTree(r.value());
            if (s.get("epoch").asLong() == epoch && s.hasNonNull("confirmedAt")) {
                out.add(Instant.parse(s.get("confirmedAt").asText()));
            }
        }
        return out;
    }

    private void heartbeat(String instance, long epoch, boolean drained, long inFlight) throws Exception {
        heartbeat(instance, epoch, drained, inFlight, 5000);
    }

    private void heartbeat(String instance, long epoch, boolean drained, long inFlight, long stateMaxAgeMs)
            throws Exception {
        Kafka.send(
                statusTopic,
                instance,
                json.writeValueAsString(Map.of(
                        "instance",
                        instance,
                        "service",
                        "test-path",
                        "epoch",
                        epoch,
                        "inFlight",
                        inFlight,
                        "drained",
                        drained,
                        "at",
                        Instant.now().toString(),
                        "stateMaxAgeMs",
                        stateMaxAgeMs,
                        "aborted",
                        0)));
    }

    private void tombstone(String instance) throws Exception {
        Kafka.send(statusTopic, instance, null);
    }
}
