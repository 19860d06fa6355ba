package io.suite.maintenance;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.suite.testing.Kafka;
import io.suite.testing.Management;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database fence against the real PostgreSQL: roles of this run (app + writer, created
 * through suite_fencer) and a table they write in maintenance_test; the write path is faked by
 * sending its heartbeats. A path that may still write holds DRAINED back until it is fenced; then
 * its role cannot write and its open session is gone; READ_WRITE lifts the fence.
 */
@QuarkusTest
@TestProfile(UniqueMaintenance.class)
class FenceTest {
    private static FencedRoles roles;

    @ConfigProperty(name = "maintenance.status-topic")
    String statusTopic;

    @ConfigProperty(name = "test.fence.service")
    String service;

    @ConfigProperty(name = "test.fence.app")
    String appRole;

    @ConfigProperty(name = "test.fence.writer")
    String writerRole;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void roles() throws SQLException {
        if (roles == null) {
            roles = new FencedRoles(appRole, writerRole);
        }
    }

    @AfterAll
    static void dropRoles() throws SQLException {
        if (roles != null) {
            roles.close();
        }
    }

    @Test
    void aSilentPathHoldsDrainedBackUntilFencedThenItsRoleCannotWriteUntilReadWrite() throws Exception {
        long rw = readWrite(Map.of("force", true));
        assertEquals(1, insert("before the flip"));
        // Writes in flight in open sessions (not committed) when the path falls silent: a replica's
        // pool holds several, and the fence ends them all at once, then waits for each.
        List<Connection> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Connection c = roles.session();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO " + roles.app + ".moves VALUES ('in flight')");
            }
            open.add(c);
        }
        heartbeat("w-silent", rw, false, 1);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.find { it.instance == 'w-silent' }.state", equalTo("live")));

        long ro = readOnly(600_000);
        JsonPath fenced = awaitFenced("w-silent", ro);
        assertEquals("fenced", fenced.getString("writePaths.find { it.instance == 'w-silent' }.state"));

        // The fence: the open sessions are gone with their writes, the role cannot write, reads go on.
        for (Connection c : open) {
            assertThrows(SQLException.class, c::commit);
            c.close();
        }
        assertEquals(0, count("in flight"));
        SQLException refused = assertThrows(SQLException.class, () -> insert("after DRAINED"));
        assertEquals("42501", refused.getSQLState(), refused.getMessage());
        assertEquals(1, count("before the flip"));
        given().get(Management.metrics())
                .then()
                .body(Matchers.containsString("maintenance_fenced_paths{service=\"" + service + "\"} 1.0"));

        // READ_WRITE lifts it: the role writes again; the silent path, fenced, is forgotten.
        readWrite(Map.of("reason", "done"));
        given().get("/v1/maintenance").then().body("fenced", empty());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> insert("after read-write") == 1);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.findAll { it.instance == 'w-silent' }", empty()));
    }

    @Test
    void aPathNotDrainedByTheDrainTimeoutIsFencedWhileItStillHeartbeats() throws Exception {
        long rw = readWrite(Map.of("force", true));
        AtomicLong epoch = new AtomicLong(rw);
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
        Properties p = new Properties();
        p.put("bootstrap.servers", Kafka.SERVERS);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            // A write stuck in the database: the path saw the flip but never drains (aborted at its timeout).
            beat.scheduleAtFixedRate(
                    () -> producer.send(
                            new ProducerRecord<>(statusTopic, "w-stuck", status("w-stuck", epoch.get(), false, 1, 1))),
                    0,
                    300,
                    TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> given().get("/v1/maintenance")
                            .then()
                            .body("writePaths.find { it.instance == 'w-stuck' }.state", equalTo("live")));
            Connection open = roles.session();
            open.setAutoCommit(false);
            try (Statement s = open.createStatement()) {
                s.executeUpdate("INSERT INTO " + roles.app + ".moves VALUES ('stuck')");
            }

            long ro = readOnly(1500);
            epoch.set(ro);
            JsonPath fenced = awaitFenced("w-stuck", ro);
            assertEquals(1, fenced.getLong("writePaths.find { it.instance == 'w-stuck' }.aborted"));
            assertThrows(SQLException.class, open::commit);
            open.close();
            assertEquals(0, count("stuck"));
            assertThrows(SQLException.class, () -> insert("after DRAINED"));

            beat.shutdown();
            assertTrue(beat.awaitTermination(10, TimeUnit.SECONDS));
            producer.send(new ProducerRecord<>(statusTopic, "w-stuck", null)).get(10, TimeUnit.SECONDS);
        } finally {
            beat.shutdownNow();
        }
        readWrite(Map.of("reason", "done"));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> insert("after read-write") == 1);
    }

    /**
     * A paused replica whose every write goes through its database role (as posting-service says) and
     * which holds a 10-minute READ_WRITE lease: the fence alone stops it, so DRAINED comes at the drain
     * timeout instead of after the lease (before, DRAINED waited the whole 10 minutes).
     */
    @Test
    void aPausedPathThatWritesOnlyInTheDatabaseIsFencedAtTheDrainTimeoutWhateverItsLease() throws Exception {
        long rw = readWrite(Map.of("force", true));
        Kafka.send(statusTopic, "w-paused", status("w-paused", rw, false, 1, 0, 600_000, true));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("writePaths.find { it.instance == 'w-paused' }.state", equalTo("live")));
        Connection open = roles.session();
        open.setAutoCommit(false);
        try (Statement s = open.createStatement()) {
            s.executeUpdate("INSERT INTO " + roles.app + ".moves VALUES ('paused')");
        }

        long ro = readOnly(1000);
        awaitFenced("w-paused", ro);
        assertThrows(SQLException.class, open::commit);
        open.close();
        assertEquals(0, count("paused"));
        assertThrows(SQLException.class, () -> insert("while its lease lasts"));

        Kafka.send(statusTopic, "w-paused", null);
        readWrite(Map.of("reason", "done"));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> insert("after read-write") == 1);
    }

    /**
     * Polls the state until {@code instance} is fenced in epoch {@code ro}: no answer before shows
     * DRAINED, and the first that lists it is (or soon becomes) DRAINED.
     */
    private JsonPath awaitFenced(String instance, long ro) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonPath s = given().get("/v1/maintenance")
                            .then()
                            .statusCode(200)
                            .extract()
                            .jsonPath();
                    boolean isFenced = s.getList("fenced", String.class).contains(instance);
                    assertFalse(
                            !isFenced && "DRAINED".equals(s.getString("phase")),
                            "DRAINED while " + instance + " could still write: " + s.prettify());
                    return isFenced;
                });
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/v1/maintenance")
                        .then()
                        .body("phase", equalTo("DRAINED"))
                        .body("epoch", equalTo((int) ro)));
        return given().get("/v1/maintenance").then().extract().jsonPath();
    }

    private static int insert(String note) throws SQLException {
        return roles.insert(note);
    }

    private static long count(String note) throws SQLException {
        return roles.count(note);
    }

    private String status(String instance, long epoch, boolean drained, long inFlight, long aborted) {
        return status(instance, epoch, drained, inFlight, aborted, 1000, false);
    }

    private String status(
            String instance,
            long epoch,
            boolean drained,
            long inFlight,
            long aborted,
            long stateMaxAgeMs,
            boolean writesOnlyInDatabase) {
        try {
            return json.writeValueAsString(Map.of(
                    "instance",
                    instance,
                    "service",
                    service,
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
                    aborted,
                    "writesOnlyInDatabase",
                    writesOnlyInDatabase));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void heartbeat(String instance, long epoch, boolean drained, long inFlight) throws Exception {
        Kafka.send(statusTopic, instance, status(instance, epoch, drained, inFlight, 0));
    }

    private long readOnly(long drainTimeoutMs) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("reason", "fence test", "durationMs", 600000, "drainTimeoutMs", drainTimeoutMs))
                .post("/v1/maintenance/read-only")
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_ONLY"))
                .body("fenced", empty())
                .extract()
                .jsonPath()
                .getLong("epoch");
    }

    private long readWrite(Map<String, Object> body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/v1/maintenance/read-write")
                .then()
                .statusCode(202)
                .body("mode", equalTo("READ_WRITE"))
                .extract()
                .jsonPath()
                .getLong("epoch");
    }
}
