package io.suite.locks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Kafka of the incidents topic unreachable: lock calls and their incidents go on as before; the
 * incidents wait in the stream, taken by the relay but not acknowledged, until Kafka is back.
 */
@QuarkusTest
@TestProfile(IncidentsWithoutKafkaTest.KafkaGone.class)
class IncidentsWithoutKafkaTest {
    /** Nothing listens on port 1. (write-guard keeps the real Kafka: only the incidents' Kafka is gone.) */
    public static class KafkaGone implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lock.incidents-bootstrap-servers", "127.0.0.1:1");
        }
    }

    @Inject
    IncidentRelay relay;

    private final Api api = Api.local();

    @Test
    void lockCallsAndTheLogDoNotWaitForKafka() {
        String space = Unique.name("NoKafka");
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        api.lockItem(a, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(200);
        api.lockItem(b, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(423);
        api.lockItem(b, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W2\"}"))
                .then()
                .statusCode(200);
        await().untilAsserted(() -> given().queryParam("space", space)
                .get("/v1/lock-incidents")
                .then()
                .statusCode(200)
                .body("incidents.kind", equalTo(List.of("TIMEOUT"))));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> relay.pending() >= 1); // the relay took it, Kafka never acknowledged it
        api.end(a).then().statusCode(204);
        api.end(b).then().statusCode(204);
    }
}
