package io.suite.posting;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.suite.testing.AuthRefusals;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static io.suite.posting.Api.doc;
import static io.suite.posting.Api.line;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DESIGN.md "Security" for posting-service: every /v1 call needs a token of the realm (401 problem otherwise), and
 * its least role (403 otherwise): reads {@code reader}; documents' create, post and unpost {@code clerk} (an
 * operator, who starts posting runs, is not a clerk); posting runs and the Sales collapse {@code operator}. A refused
 * call writes nothing. Who created a document is the token's user, whatever the body says.
 */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
class WhoMayCallTest {
    private static final String RUN = "{\"parallelism\":1,\"batchSize\":10}";
    /**
     * Whose expired, forged and unsigned tokens the strangers bring: the default test user, allowed everywhere (one
     * user: an expired token is waited for once).
     */
    private static final String STRANGER = Tokens.DEFAULT_USER;

    @Test
    void documentsAreForClerksAndReadersReadThem() throws Exception {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String number = Unique.name("who");
        String newDoc = numbered(doc("RECEIPT", true, line(item, wh, 5)), number);

        AuthRefusals.assertStrangersRefused("POST", "/v1/documents", newDoc, STRANGER);
        AuthRefusals.assertForbidden("POST", "/v1/documents", newDoc, "reader");
        AuthRefusals.assertForbidden("POST", "/v1/documents", newDoc, "operator");
        assertEquals(0, Api.count("SELECT count(*) FROM documents WHERE number = ?1", number));
        assertEquals(0, Api.balance(item, wh).signum());

        String draft = as("clerk", numbered(doc("RECEIPT", false, line(item, wh, 5)), number))
                .then()
                .statusCode(201)
                .body("status", equalTo("DRAFT"))
                .extract()
                .path("id");
        // refused, the draft stays a draft; the clerk posts it. Refused, it stays posted; the clerk unposts it.
        String[][] steps = {{"/post", "DRAFT", "0", "POSTED"}, {"/unpost", "POSTED", "5", "DRAFT"}};
        for (String[] step : steps) {
            String path = "/v1/documents/" + draft + step[0];
            AuthRefusals.assertStrangersRefused("POST", path, null, STRANGER);
            AuthRefusals.assertForbidden("POST", path, null, "reader");
            AuthRefusals.assertForbidden("POST", path, null, "operator");
            given().get("/v1/documents/" + draft).then().body("status", equalTo(step[1]));
            assertEquals(0, Api.balance(item, wh).compareTo(new BigDecimal(step[2])), step[0]);
            given().header("Authorization", Tokens.bearer("clerk"))
                    .post(path)
                    .then()
                    .statusCode(200)
                    .body("status", equalTo(step[3]));
        }

        for (String read : List.of("/v1/documents/" + draft, "/v1/documents?status=DRAFT")) {
            AuthRefusals.assertStrangersRefused("GET", read, null, STRANGER);
            given().header("Authorization", Tokens.bearer("reader"))
                    .get(read)
                    .then()
                    .statusCode(200);
        }
        Api.assertConsistent();
    }

    @Test
    void registersAreReadByReadersAndCollapsedByOperators() {
        for (String read : List.of("/v1/balances", "/v1/sales?from=2026-01-01&to=2026-12-31", "/v1/registers/check")) {
            AuthRefusals.assertStrangersRefused("GET", read, null, STRANGER);
            given().header("Authorization", Tokens.bearer("reader"))
                    .get(read)
                    .then()
                    .statusCode(200);
        }
        String collapse = "/v1/registers/sales/collapse";
        AuthRefusals.assertStrangersRefused("POST", collapse, null, STRANGER);
        AuthRefusals.assertForbidden("POST", collapse, null, "reader");
        AuthRefusals.assertForbidden("POST", collapse, null, "clerk");
        given().header("Authorization", Tokens.bearer("operator"))
                .post(collapse)
                .then()
                .statusCode(200);
    }

    /** The operator's 202 and the run's startedBy: PostingRunHeartbeatTest. */
    @Test
    void postingRunsAreStartedByOperatorsOnly() throws Exception {
        long runs = Api.count("SELECT count(*) FROM posting_runs", null);
        AuthRefusals.assertStrangersRefused("POST", "/v1/posting-runs", RUN, STRANGER);
        AuthRefusals.assertForbidden("POST", "/v1/posting-runs", RUN, "reader");
        AuthRefusals.assertForbidden("POST", "/v1/posting-runs", RUN, "clerk");
        assertEquals(runs, Api.count("SELECT count(*) FROM posting_runs", null));
        AuthRefusals.assertStrangersRefused("GET", "/v1/posting-runs/" + UUID.randomUUID(), null, STRANGER);
    }

    @Test
    void theCreatorIsTheTokensUserWhateverTheBodySays() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String body = doc("RECEIPT", false, line(item, wh, 1))
                .replaceFirst("\\{", "{\"createdBy\":\"mallory\",\"created_by\":\"mallory\",");
        String id = as("clerk", body)
                .then()
                .statusCode(201)
                .body("createdBy", equalTo("clerk"))
                .extract()
                .path("id");
        given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/documents/" + id)
                .then()
                .statusCode(200)
                .body("createdBy", equalTo("clerk"));
        given().get("/v1/documents?status=DRAFT")
                .then()
                .statusCode(200)
                .body("findAll { it.id == '" + id + "' }.createdBy", equalTo(List.of("clerk")))
                .body("createdBy", not(hasItem("mallory")));
        // the default test user, who is also a clerk
        Api.create(doc("RECEIPT", true, line(item, wh, 1)))
                .then()
                .statusCode(201)
                .body("createdBy", equalTo(Tokens.DEFAULT_USER));
    }

    private static Response as(String user, String body) {
        return given().header("Authorization", Tokens.bearer(user))
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/documents");
    }

    private static String numbered(String doc, String number) {
        return doc.replaceFirst("\\{", "{\"number\":\"" + number + "\",");
    }
}
