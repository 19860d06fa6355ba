package io.suite.writeguard;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.suite.testing.Kafka;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** READ_WRITE is a lease (write-guard.state-max-age): it runs out unless the state is confirmed again. */
@QuarkusTest
@TestProfile(ShortLease.class)
class LeaseTest {
    private static final AtomicLong EPOCHS = new AtomicLong();
    private static final Duration MAX_AGE = Duration.ofMillis(ShortLease.MAX_AGE_MS);

    @Inject
    WriteGuard guard;

    @Inject
    StateChanges changes;

    @ConfigProperty(name = "write-guard.state-topic")
    String stateTopic;

    @Test
    void unconfirmedReadWriteGoesStaleAndComesBackWithTheNextConfirmation() throws Exception {
        long epoch = EPOCHS.incrementAndGet();
        Instant confirmedAt = Instant.now();
        send(epoch, confirmedAt);
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.epoch() == epoch);
        assertEquals(confirmedAt.plus(MAX_AGE), guard.leaseEnd(), "the lease ends state-max-age after confirmedAt");

        // nobody confirms: the lease runs out, checked at call time
        await().atMost(Duration.ofSeconds(30)).until(guard::refusesWrites);
        given().post("/test/writes/stale-" + epoch)
                .then()
                .statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", equalTo("2"))
                .body("type", equalTo("https://suite.dev/problems/read-only"))
                .body("refusal", equalTo("state-stale"))
                .body("reason", equalTo("state-stale"))
                .body("epoch", equalTo((int) epoch))
                .body("detail", containsString("confirmed"));
        assertTrue(guard.stateStale());
        assertEquals(Optional.empty(), guard.writableUntil());
        assertFalse(guard.state().readOnly(), "still READ_WRITE, only no longer sure of it");
        given().get("/test/writes").then().statusCode(200);
        given().get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("checks.find { it.name == 'write-guard' }.data.stateStale", equalTo(true));
        given().get("/q/metrics")
                .then()
                .body(containsString("writeguard_writes_refused_total{reason=\"state-stale\"}"))
                .body(containsString("writeguard_state_stale 1.0"));

        // the next confirmation (same state) renews the lease; it is not a change
        int changesBefore = changes.count();
        send(epoch, Instant.now());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> given().post("/test/writes/renewed-" + epoch).statusCode() == 200);
        given().get("/q/health/ready").then().statusCode(200);
        assertEquals(changesBefore, changes.count(), "a mere confirmation fires no MaintenanceStateChanged");
    }

    @Test
    void aConfirmationDeliveredLateDoesNotExtendTheLease() throws Exception {
        long epoch = EPOCHS.incrementAndGet();
        Instant confirmedAt = Instant.now();
        send(epoch, confirmedAt);
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.epoch() == epoch);
        Instant leaseEnd = confirmedAt.plus(MAX_AGE);

        // an older confirmation of the same state, delivered only now (Kafka was paused): the lease stays
        Instant old = confirmedAt.minusSeconds(1);
        send(epoch, old);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> old.equals(guard.state().confirmedAt()));
        assertEquals(leaseEnd, guard.leaseEnd());

        // a new state confirmed long ago and delivered late: never READ_WRITE beyond what its sender meant
        long next = EPOCHS.incrementAndGet();
        send(next, Instant.now().minus(MAX_AGE).minusSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.epoch() == next);
        assertTrue(guard.stateStale());
        given().post("/test/writes/late-" + next).then().statusCode(503).body("refusal", equalTo("state-stale"));
    }

    private void send(long epoch, Instant confirmedAt) throws Exception {
        Kafka.send(
                stateTopic,
                "state",
                "{\"mode\":\"READ_WRITE\",\"epoch\":" + epoch
                        + ",\"reason\":\"done\",\"since\":\"2026-01-01T00:00:00Z\",\"requestedBy\":\"test\",\"confirmedAt\":\""
                        + confirmedAt + "\"}");
    }
}
