package io.suite.backup.backups;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.suite.backup.SuiteUnderBackup;
import io.suite.problems.ProblemTypes;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** DESIGN.md "Bad input": a 400 naming the field (or a 413), and no backup started. */
@QuarkusTest
@QuarkusTestResource(SuiteUnderBackup.class)
class BadInputTest {
    static final String PROBLEM = "application/problem+json";

    @Test
    void wronglyShapedBodiesNameTheFieldAndStartNothing() {
        int before = backups();
        String[][] cases = {
            {"[1,2]", "body"},
            {"\"x\"", "body"},
            {"42", "body"},
            {"true", "body"},
            {"{\"label\":[\"x\"]}", "label"},
            {"{\"label\":{}}", "label"},
            {"{\"maintenance\":7}", "maintenance"},
            {"{\"label\":\"a\\u0000b\",\"maintenance\":\"auto\"}", "label"},
            {"{\"label\":\"\\udc00\",\"maintenance\":\"auto\"}", "label"},
            {"{\"label\":\"x\",\"maintenance\":\"sometimes\"}", "maintenance"}
        };
        for (String[] c : cases) {
            given().contentType(ContentType.JSON)
                    .body(c[0])
                    .post("/v1/backups")
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                    .body("violations.field", hasItem(c[1]));
        }
        given().contentType(ContentType.JSON)
                .body("{\"databases\":\"posting\"}")
                .post("/v1/backups/6d4f1a7e-0000-4000-8000-000000000000/restore")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("violations.field", hasItem("databases"));
        given().get("/v1/backups").then().body("backups.size()", equalTo(before));
    }

    @Test
    void anOversizedBodyIsA413Problem() {
        given().contentType(ContentType.JSON)
                .body("{\"label\":\"" + "x".repeat(70_000) + "\"}")
                .post("/v1/backups")
                .then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.PAYLOAD_TOO_LARGE.toString()));
    }

    private static int backups() {
        return given().get("/v1/backups")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("backups")
                .size();
    }
}
