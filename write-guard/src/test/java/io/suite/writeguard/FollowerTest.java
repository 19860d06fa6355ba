package io.suite.writeguard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.suite.testing.Kafka;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The follower on topics of its own, in the order a path lives it: an empty topic (fails closed),
 * the topic deleted and recreated (read again, epochs never go back), a clean stop (tombstone).
 */
@QuarkusTest
@TestProfile(FreshTopics.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FollowerTest {
    @Inject
    WriteGuard guard;

    @Inject
    StateFollower follower;

    @ConfigProperty(name = "write-guard.state-topic")
    String stateTopic;

    @ConfigProperty(name = "write-guard.status-topic")
    String statusTopic;

    @Test
    @Order(1)
    void anEmptyTopicNeverMeansReadWrite() throws Exception {
        // the follower has read the whole (empty) topic ...
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> given().get("/q/health/ready")
                                .then()
                                .extract()
                                .path("checks.find { it.name == 'write-guard' }.data.stateTopicRead"),
                        equalTo(true));
        // ... and still refuses: nobody told it READ_WRITE
        given().post("/test/writes/empty")
                .then()
                .statusCode(503)
                .body("refusal", equalTo("state-unknown"))
                .body("epoch", equalTo(-1));
        given().get("/q/health/ready").then().statusCode(503);
        assertFalse(guard.stateKnown());
        assertEquals(Optional.empty(), guard.writableUntil());

        send("READ_WRITE", 5, Instant.now());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> given().post("/test/writes/first").statusCode() == 200);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    @Order(2)
    void aRecreatedTopicIsReadAgainAndNeverLowersTheEpoch() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> guard.epoch() == 5);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", Kafka.SERVERS))) {
            Uuid before = topicId(admin);
            admin.deleteTopics(List.of(stateTopic)).all().get(10, TimeUnit.SECONDS);
            // recreated by whoever comes first (this test, the guard, maintenance-service)
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Uuid now = topicId(admin);
                if (now == null) {
                    create(admin);
                }
                return now != null && !now.equals(before);
            });
        }
        // the new topic holds an older epoch (e.g. a stale publisher) and then the truth, confirmed again
        send("READ_ONLY", 2, Instant.now());
        Instant confirmed = Instant.now();
        send("READ_WRITE", 5, confirmed);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> confirmed.equals(guard.state().confirmedAt()));
        assertEquals(5, guard.epoch(), "epochs never go back");
        assertFalse(guard.state().readOnly());
        given().post("/test/writes/after-recreate").then().statusCode(200);
    }

    @Test
    @Order(3)
    void aCleanStopSendsATombstone() throws Exception {
        String instance = guard.instanceId();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lastOf(instance) != null && lastOf(instance).value() != null);
        follower.stop(null); // what Quarkus does on ShutdownEvent
        ConsumerRecord<String, String> last = lastOf(instance);
        assertTrue(last != null, "heartbeats were sent");
        assertNull(last.value(), "the last record of this instance is its tombstone");
    }

    private ConsumerRecord<String, String> lastOf(String instance) {
        ConsumerRecord<String, String> last = null;
        for (ConsumerRecord<String, String> r : Kafka.readAll(statusTopic)) {
            if (instance.equals(r.key())) {
                last = r;
            }
        }
        return last;
    }

    private Uuid topicId(Admin admin) throws Exception {
        try {
            return admin.describeTopics(List.of(stateTopic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(stateTopic)
                    .topicId();
        } catch (ExecutionException e) {
            return null; // gone (or being deleted)
        }
    }

    private void create(Admin admin) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(stateTopic, Optional.of(1), Optional.empty())))
                    .all()
                    .get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // exists already, or still being deleted: asked again on the next poll
        }
    }

    private void send(String mode, long epoch, Instant confirmedAt) throws Exception {
        Kafka.send(
                stateTopic,
                "state",
                "{\"mode\":\"" + mode + "\",\"epoch\":" + epoch
                        + ",\"reason\":\"test\",\"since\":\"2026-01-01T00:00:00Z\",\"requestedBy\":\"test\",\"confirmedAt\":\""
                        + confirmedAt + "\"}");
    }
}
