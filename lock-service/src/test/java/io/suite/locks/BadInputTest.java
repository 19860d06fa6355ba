package io.suite.locks;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.suite.problems.ProblemTypes;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** DESIGN.md "Bad input" on the lock calls: a 400 naming the field (or a 413), and nothing locked. */
@QuarkusTest
class BadInputTest {
    static final String PROBLEM = "application/problem+json";
    private final Api api = Api.local();

    @Test
    void wronglyShapedLockBodiesNameTheFieldAndLockNothing() {
        String s = Unique.name("bad");
        String[][] cases = {
            {"[1,2]", "body"},
            {"\"x\"", "body"},
            {"42", "body"},
            {"true", "body"},
            {"{\"items\":\"x\"}", "items"},
            {"{\"items\":[1]}", "items[0]"},
            {"{\"items\":[{\"space\":[\"" + s + "\"]}]}", "items[0].space"},
            {"{\"items\":[{\"space\":\"" + s + "\",\"mode\":{}}]}", "items[0].mode"},
            {"{\"items\":[{\"space\":\"" + s + "\",\"fields\":{\"w\":\"W\\u0000\"}}]}", "items[0].fields.w"},
            {"{\"items\":[{\"space\":\"" + s + "\",\"fields\":{\"w\":\"\\ud800\"}}]}", "items[0].fields.w"},
            {
                "{\"items\":[{\"space\":\"" + s + "\",\"fields\":{\"w\":{\"in\":[" + "1,".repeat(1000) + "2]}}}]}",
                "items[0].fields.w.in"
            },
            {"{\"items\":[{\"space\":\"" + s + "\",\"rows\":[{\"w\":\"A\\u0001\"}]}]}", "items[0].rows[0].w"},
            {"{\"timeoutMs\":1.5,\"items\":[{\"space\":\"" + s + "\"}]}", "timeoutMs"}
        };
        Api.Tx a = api.begin("a");
        for (String[] c : cases) {
            expect400(api.lock(a, c[0]), c[1]);
        }
        api.get(a).then().statusCode(200).body("locks", empty());
        api.end(a);
    }

    @Test
    void wronglyShapedBeginsNameTheFieldAndBeginNothing() {
        String owner = Unique.name("owner");
        String[][] cases = {
            {"[1,2]", "body"},
            {"\"x\"", "body"},
            {"{\"owner\":\"a\\u0000b\"}", "owner"},
            {"{\"label\":\"\\u0007\"}", "label"},
            {"{\"owner\":[\"" + owner + "\"]}", "owner"},
            {"{\"owner\":\"" + owner + "\",\"items\":[{\"space\":\"S\\u0000\"}]}", "items[0].space"}
        };
        for (String[] c : cases) {
            expect400(given().contentType("application/json").body(c[0]).post("/v1/lock-transactions"), c[1]);
        }
        given().get("/v1/locks").then().statusCode(200).body("locks.owner", Matchers.not(hasItem(owner)));
        given().contentType("application/json")
                .body("{\"owner\":\"" + owner + "\",\"label\":\"two\\nlines\"}")
                .post("/v1/lock-transactions")
                .then()
                .statusCode(201);
    }

    @Test
    void aBadQueryParameterIsNamed() {
        expect400(given().urlEncodingEnabled(false).get("/v1/locks?space=%00"), "query.space");
    }

    @Test
    void anOversizedBodyIsA413Problem() {
        given().contentType("application/json")
                .body("{\"owner\":\"" + "x".repeat(2_200_000) + "\"}")
                .post("/v1/lock-transactions")
                .then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.PAYLOAD_TOO_LARGE.toString()));
    }

    private static void expect400(Response r, String field) {
        r.then()
                .log()
                .ifValidationFails()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                .body("violations.field", hasItem(field));
    }
}
