package io.suite.writeguard;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** Kafka unreachable at boot: the state is never learnt, so writes are refused and readiness is DOWN. */
@QuarkusTest
@TestProfile(KafkaUnreachable.class)
class FailClosedTest {

    @Test
    void refusesWritesUntilTheStateIsKnownButServesReads() {
        given().post("/test/writes/early")
                .then()
                .statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", equalTo("2"))
                .body("type", equalTo("https://suite.dev/problems/read-only"))
                .body("refusal", equalTo("state-unknown"))
                .body("reason", equalTo("state-unknown"))
                .body("epoch", equalTo(-1));
        given().get("/test/writes").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(503);
    }
}
