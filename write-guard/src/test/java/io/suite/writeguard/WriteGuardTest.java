package io.suite.writeguard;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.suite.testing.Kafka;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guard in a real app against the real broker, on topics of its own. */
@QuarkusTest
@TestProfile(UniqueTopics.class)
class WriteGuardTest {
    private static final AtomicLong EPOCHS = new AtomicLong();

    @Inject
    WriteGuard guard;

    @Inject
    GuardedWrites writes;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "write-guard.state-topic")
    String stateTopic;

    @ConfigProperty(name = "write-guard.status-topic")
    String statusTopic;

    @Test
    void readOnlyStateRoundTripsThroughTheBrokerAndRefusesWritesWithAProblem() throws Exception {
        long epoch = publish("READ_ONLY", null, Instant.now().plusSeconds(120));

        Response refused = given().post("/test/writes/" + epoch);
        refused.then()
                .statusCode(503)
                .contentType("application/problem+json")
                .body("type", equalTo("https://suite.dev/problems/read-only"))
                .body("status", equalTo(503))
                .body("reason", equalTo("upgrade"))
                .body("epoch", equalTo((int) epoch))
                .body("refusal", equalTo("read-only"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 120, "Retry-After counts down to expiresAt: " + retryAfter);
        given().get("/test/writes").then().statusCode(200);
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("writeguard_writes_refused_total{reason=\"read-only\"}"))
                .body(containsString("writeguard_read_only 1.0"))
                .body(containsString("writeguard_epoch " + epoch + ".0"))
                .body(containsString("writeguard_writes_in_flight"));

        publish("READ_WRITE", null, null);
        given().post("/test/writes/w" + epoch).then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200).body(containsString("write-guard"));
    }

    @Test
    void writesInFlightAreCountedAndDrainedIsHeartbeatWhenTheyEnd() throws Exception {
        publish("READ_WRITE", null, null);
        String a = "hold-a-" + EPOCHS.get(), b = "hold-b-" + EPOCHS.get();
        CompletableFuture<Integer> first = post(a), second = post(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.inFlight() == 2);

        long readOnly = publish("READ_ONLY", null, null);
        given().post("/test/writes/late").then().statusCode(503).body("epoch", equalTo((int) readOnly));
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(readOnly, false, 2));

        writes.release(a);
        writes.release(b);
        assertEquals(200, first.get());
        assertEquals(200, second.get());
        assertTrue(writes.committed(a) && writes.committed(b), "writes in flight finish");
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(readOnly, true, 0));
        assertTrue(guard.drained());
    }

    @Test
    void aWriteStillRunningAtTheDrainTimeoutIsAnsweredAtOnceButCountsUntilItsWorkEnds() throws Exception {
        publish("READ_WRITE", null, null);
        String slow = "slow-" + EPOCHS.get();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> given().queryParam("hold", true).post("/test/writes/" + slow));
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.inFlight() == 1);

        long readOnly = publish("READ_ONLY", 300L, null);
        Response r = answer.get();
        r.then()
                .statusCode(503)
                .contentType("application/problem+json")
                .body("refusal", equalTo("drain-timeout"))
                .body("epoch", equalTo((int) readOnly));
        // its work still runs (think: a statement waiting on a row lock in PostgreSQL): not drained
        assertEquals(1, guard.inFlight());
        assertEquals(1, guard.aborted());
        assertFalse(guard.drained());
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(readOnly, false, 1, 1));

        writes.release(slow);
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.failed(slow));
        assertFalse(writes.committed(slow), "permit.check() refused its COMMIT: never half-applied");
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(readOnly, true, 0, 0));
        assertEquals(0, guard.inFlight());
    }

    @Test
    void anAbortedWriteStopsCountingOnceALaterEpochIsApplied() throws Exception {
        publish("READ_WRITE", null, null);
        String stuck = "stuck-" + EPOCHS.get();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> given().queryParam("hold", true).post("/test/writes/" + stuck));
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.inFlight() == 1);
        publish("READ_ONLY", 300L, null);
        answer.get().then().statusCode(503).body("refusal", equalTo("drain-timeout"));
        assertEquals(1, guard.inFlight());

        // back to READ_WRITE (or: maintenance-service fenced this path): the aborted write no longer counts
        publish("READ_WRITE", null, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.inFlight() == 0);
        assertEquals(0, guard.aborted());
        writes.release(stuck);
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.failed(stuck));
        assertFalse(writes.committed(stuck));
        assertEquals(0, guard.inFlight(), "its end is not counted twice");
    }

    @Test
    void aWriteThatCannotSeeItsPermitIsCancelledAtTheDrainTimeoutAndCountsUntilALaterEpoch() throws Exception {
        publish("READ_WRITE", null, null);
        String blind = "blind-" + EPOCHS.get();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> given().queryParam("withoutPermit", true).post("/test/writes/" + blind));
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.inFlight() == 1);
        long readOnly = publish("READ_ONLY", 300L, null);
        answer.get().then().statusCode(503).body("refusal", equalTo("drain-timeout"));
        assertTrue(writes.cancelled(blind), "cancelled: its transaction rolls back");
        writes.release(blind);
        assertFalse(writes.committed(blind));
        // its real end is unknown: it counts until a later epoch (maintenance-service fences the path meanwhile)
        assertEquals(1, guard.inFlight());
        assertFalse(guard.drained());
        assertEquals(readOnly, guard.epoch());
        publish("READ_WRITE", null, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.inFlight() == 0);
    }

    private CompletableFuture<Integer> post(String id) {
        return CompletableFuture.supplyAsync(() ->
                given().queryParam("hold", true).post("/test/writes/" + id).statusCode());
    }

    /** Publishes the next epoch on the state topic and waits until the guard has applied it. */
    private long publish(String mode, Long drainTimeoutMs, Instant expiresAt) throws Exception {
        long epoch = EPOCHS.incrementAndGet();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("mode", mode);
        state.put("epoch", epoch);
        state.put("reason", mode.equals("READ_ONLY") ? "upgrade" : "done");
        state.put("since", Instant.now().toString());
        state.put("requestedBy", "test");
        if (drainTimeoutMs != null) {
            state.put("drainTimeoutMs", drainTimeoutMs);
        }
        if (expiresAt != null) {
            state.put("expiresAt", expiresAt.toString());
        }
        state.put("confirmedAt", Instant.now().toString());
        Kafka.send(stateTopic, "state", json.writeValueAsString(state));
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.epoch() == epoch);
        return epoch;
    }

    private boolean heartbeat(long epoch, boolean drained, long inFlight) throws Exception {
        return heartbeat(epoch, drained, inFlight, 0);
    }

    private boolean heartbeat(long epoch, boolean drained, long inFlight, long aborted) throws Exception {
        for (var record : Kafka.readAll(statusTopic)) {
            if (record.value() == null) {
                continue;
            }
            JsonNode h = json.readTree(record.value());
            if (record.key().equals(guard.instanceId())
                    && h.get("epoch").asLong() == epoch
                    && h.get("drained").asBoolean() == drained
                    && h.get("inFlight").asLong() == inFlight
                    && h.get("aborted").asLong() == aborted
                    && h.get("stateMaxAgeMs").asLong() == 3_600_000
                    && h.get("service").asText().equals("write-guard-test")) {
                return true;
            }
        }
        return false;
    }
}
