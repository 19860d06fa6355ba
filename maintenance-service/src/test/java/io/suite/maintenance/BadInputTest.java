package io.suite.maintenance;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.suite.problems.ProblemTypes;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** DESIGN.md "Bad input": each is a 400 naming the field (or a 413), and no new epoch. */
@QuarkusTest
@TestProfile(UniqueMaintenance.class)
class BadInputTest {
    static final String PROBLEM = "application/problem+json";

    @Test
    void aReasonWithNulIsNamedAndChangesNothing() {
        long epoch = epoch();
        given().contentType(ContentType.JSON)
                .body("{\"reason\":\"up\\u0000grade\"}")
                .post("/v1/maintenance/read-only")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                .body("violations.field", hasItem("reason"));
        given().contentType(ContentType.JSON)
                .body(Map.of("reason", "done", "requestedBy", "bob\u0001"))
                .post("/v1/maintenance/read-write")
                .then()
                .statusCode(400)
                .body("violations.field", hasItem("requestedBy"));
        given().get("/v1/maintenance").then().body("epoch", equalTo((int) epoch));
    }

    @Test
    void wronglyShapedBodiesNameTheField() {
        long epoch = epoch();
        String[][] cases = {
            {"[1,2]", "body"},
            {"\"x\"", "body"},
            {"42", "body"},
            {"true", "body"},
            {"{\"reason\":[\"x\"]}", "reason"},
            {"{\"durationMs\":\"soon\"}", "durationMs"},
            {"{\"durationMs\":60000.5}", "durationMs"},
            {"{\"durationMs\":1e30}", "durationMs"},
            {"{\"drainTimeoutMs\":{}}", "drainTimeoutMs"},
            {"{\"reason\":\"x\"} trailing", "body"}
        };
        for (String[] c : cases) {
            given().contentType(ContentType.JSON)
                    .body(c[0])
                    .post("/v1/maintenance/read-only")
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                    .body("violations.field", hasItem(c[1]));
        }
        given().contentType(ContentType.JSON)
                .body("{}")
                .post("/v1/maintenance/read-only/release")
                .then()
                .statusCode(400)
                .body("violations.field", hasItem("heldBy"));
        given().get("/v1/maintenance").then().body("epoch", equalTo((int) epoch));
    }

    @Test
    void anOversizedBodyIsA413Problem() {
        given().contentType(ContentType.JSON)
                .body("{\"reason\":\"" + "x".repeat(70_000) + "\"}")
                .post("/v1/maintenance/read-only")
                .then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.PAYLOAD_TOO_LARGE.toString()));
    }

    @Test
    void aBadQueryParameterIsNamed() {
        given().urlEncodingEnabled(false)
                .get("/v1/maintenance/history?limit=%00")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("violations.field", hasItem("query.limit"));
        // JAX-RS' own answer to an unconvertible parameter is a 404; problems' SuiteTypes makes it bad input
        given().get("/v1/maintenance/history?limit=x")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                .body("violations.field", hasItem("query.limit"));
    }

    private static long epoch() {
        return given().get("/v1/maintenance")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("epoch");
    }
}
