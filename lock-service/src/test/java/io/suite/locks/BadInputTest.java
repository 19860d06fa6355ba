package io.suite.locks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.suite.problems.ProblemTypes;
import io.suite.testing.Http;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** DESIGN.md "Bad input" on the lock calls: a 400 naming the field (or a 413), and nothing locked. */
@QuarkusTest
class BadInputTest {
    static final String PROBLEM = "application/problem+json";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Api api = Api.local();

    @TestHTTPResource("/")
    URI root;

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

    /**
     * Only application/json: a web page can send text/plain or a form from a user's browser without asking
     * (no CORS preflight), so neither may begin or lock anything (CSRF). 415, and nothing begun or locked.
     */
    @Test
    void bodiesThatAreNotJsonAre415AndLockNothing() throws Exception {
        String space = Unique.name("csrf");
        String item = Api.item(space, "EXCLUSIVE", "{}");
        String begin = "{\"owner\":\"csrf\",\"timeoutMs\":0,\"items\":[" + item + "]}";
        Api.Tx tx = api.begin("csrf");
        for (String type : List.of(
                "text/plain",
                "text/plain; charset=UTF-8",
                "application/x-www-form-urlencoded",
                "multipart/form-data")) {
            expect415(post("/v1/lock-transactions", type, Map.of(), begin));
            expect415(post(
                    "/v1/lock-transactions/" + tx.id() + "/locks",
                    type,
                    Map.of("X-Lock-Token", tx.token()),
                    "{\"timeoutMs\":0,\"items\":[" + item + "]}"));
        }
        given().get("/v1/locks?space=" + space).then().statusCode(200).body("locks", empty());
        api.get(tx).then().statusCode(200).body("locks", empty());
        api.end(tx);
        // no body at all (every field of a begin is optional): nothing to mistake, no Content-Type needed
        HttpResponse<String> bare = HTTP.send(
                HttpRequest.newBuilder(root.resolve("/v1/lock-transactions"))
                        .header("Authorization", Tokens.bearer())
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, bare.statusCode(), bare::body);
    }

    /** A request exactly as a browser's form or text/plain fetch would send it (RestAssured would re-encode it). */
    private HttpResponse<String> post(String path, String type, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(root.resolve(path))
                .header("Content-Type", type)
                .header("Authorization", Tokens.bearer())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect415(HttpResponse<String> r) throws Exception {
        assertEquals(415, r.statusCode(), r::body);
        assertEquals(PROBLEM, r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(
                ProblemTypes.UNSUPPORTED_MEDIA_TYPE.toString(),
                Http.JSON.readTree(r.body()).path("type").asText());
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
