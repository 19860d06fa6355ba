package io.suite.posting;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.suite.problems.ProblemTypes;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static io.suite.posting.Api.create;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

/** DESIGN.md "Bad input" (issue 18's cases): each a 400 naming the field, or a 413; nothing written. */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
class BadInputTest {
    static final String PROBLEM = "application/problem+json";

    @Test
    void wronglyShapedDocumentsNameTheField() {
        String[][] cases = {
            {"[1,2]", "body"},
            {"\"x\"", "body"},
            {"42", "body"},
            {"true", "body"},
            {"{\"lines\":\"x\"}", "lines"},
            {"{\"lines\":[1]}", "lines[0]"},
            {"{\"type\":[\"RECEIPT\"]}", "type"},
            {"{\"post\":{}}", "post"},
            {"{\"type\":\"RECEIPT\"} {}", "body"},
            {
                "{\"type\":\"RECEIPT\",\"lines\":[{\"item\":\"A\",\"warehouse\":\"W\",\"quantity\":\"many\"}]}",
                "lines[0].quantity"
            }
        };
        for (String[] c : cases) {
            expect400(create(c[0]), c[1]);
        }
    }

    @Test
    void textWithNulAndImpossibleDatesAreRefusedAndNothingIsWritten() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        expect400(create(doc(item + "\\u0000", wh, "2026-11-22")), "lines[0].item");
        expect400(create(doc(item, wh + "\\u0007", "2026-11-22")), "lines[0].warehouse");
        expect400(create(doc(item, "\\ud83d", "2026-11-22")), "lines[0].warehouse");
        expect400(create(doc(item, wh, "+5880000-01-01")), "date");
        expect400(create(doc(item, wh, "+11761248-01-01")), "date");
        expect400(create(doc(item, wh, "0000-01-01")), "date");
        expect400(
                create("{\"type\":\"RECEIPT\",\"number\":\"N\\u0000\",\"lines\":[{\"item\":\"" + item
                        + "\",\"warehouse\":\"" + wh + "\",\"quantity\":1}]}"),
                "number");
        given().queryParam("item", item)
                .get("/v1/balances")
                .then()
                .statusCode(200)
                .body("balances", hasSize(0));
        Api.assertConsistent();
        create(doc(item, wh, "9999-12-31")).then().statusCode(201).body("date", equalTo("9999-12-31"));
    }

    @Test
    void badQueryParametersAreNamed() {
        expect400(given().urlEncodingEnabled(false).get("/v1/balances?item=%00"), "query.item");
        expect400(given().urlEncodingEnabled(false).get("/v1/sales?warehouse=%01"), "query.warehouse");
        expect400(given().urlEncodingEnabled(false).get("/v1/sales?from=+5880000-01-01"), "from");
        expect400(given().queryParam("to", "+11761248-01-01").get("/v1/sales"), "to");
        for (String limit : new String[] {"0", "1001", "-1", "ten", "99999999999"}) {
            expect400(given().queryParam("limit", limit).get("/v1/documents"), "limit");
        }
        expect400(given().queryParam("after", "not-a-uuid").get("/v1/documents"), "after");
        expect400(given().queryParam("after", UUID.randomUUID()).get("/v1/documents"), "after");
    }

    @Test
    void wronglyShapedPostingRunsNameTheField() {
        String[][] cases = {
            {"[1,2]", "body"},
            {"\"x\"", "body"},
            {"42", "body"},
            {"true", "body"},
            {"{\"parallelism\":\"x\"}", "parallelism"},
            {"{\"parallelism\":1.5}", "parallelism"},
            {"{\"batchSize\":1e12}", "batchSize"},
            {"{\"batchSize\":[1]}", "batchSize"},
            {"{\"parallelism\":0,\"batchSize\":5000}", "batchSize"}
        };
        for (String[] c : cases) {
            expect400(given().contentType(ContentType.JSON).body(c[0]).post("/v1/posting-runs"), c[1]);
        }
    }

    @Test
    void anOversizedBodyIsA413Problem() {
        given().contentType(ContentType.JSON)
                .body("{\"number\":\"" + "x".repeat(2_000_000) + "\"}")
                .post("/v1/documents")
                .then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.PAYLOAD_TOO_LARGE.toString()));
    }

    private static String doc(String item, String warehouse, String date) {
        return "{\"type\":\"RECEIPT\",\"date\":\"" + date + "\",\"lines\":[{\"item\":\"" + item + "\",\"warehouse\":\""
                + warehouse + "\",\"quantity\":1}]}";
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
