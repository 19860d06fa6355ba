package io.suite.problems;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class BadInputTest {
    static final String PROBLEM = "application/problem+json";

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"x\"", "42", "true", "{", "{\"type\":\"A\"} x", "{\"a\":1,\"a\":"})
    void aBodyThatIsNoObjectIsAValidationProblem(String body) {
        given().contentType(ContentType.JSON)
                .body(body)
                .post("/test/echo")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                .body("violations.field", hasItem("body"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"lines\":\"x\"}|lines",
                "{\"lines\":[1]}|lines[0]",
                "{\"type\":[\"RECEIPT\"]}|type",
                "{\"post\":{}}|post",
                "{\"count\":1.5}|count",
                "{\"count\":1e20}|count",
                "{\"lines\":[{\"item\":\"a\\u0000b\"}]}|lines[0].item",
                "{\"type\":\"\\ud800\"}|type",
                "{\"type\":\"a\\u0007\"}|type"
            })
    void aWronglyShapedFieldIsNamed(String body, String field) {
        given().contentType(ContentType.JSON)
                .body(body)
                .post("/test/echo")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                .body("violations.field", hasItem(field));
    }

    @Test
    void proseKeepsLineBreaks() {
        given().contentType(ContentType.JSON)
                .body("{\"type\":\"a\\nb\\tc\"}")
                .post("/test/echo")
                .then()
                .statusCode(200)
                .body("type", equalTo("a\nb\tc"));
    }

    @Test
    void aQueryParameterWithNulIsNamed() {
        given().urlEncodingEnabled(false)
                .get("/test/echo?item=%00")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                .body("violations.field", hasItem("query.item"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+5880000-01-01", "+11761248-01-01", "0000-12-31", "10000-01-01", "2026-02-30", "x"})
    void aDateOutsideWhatPostgresAndClientsReadBackIsRefused(String date) {
        given().queryParam("from", date)
                .get("/test/echo")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("violations.field", hasItem("from"));
    }

    @Test
    void aGoodDateIsTaken() {
        given().queryParam("from", "9999-12-31").get("/test/echo").then().statusCode(200);
    }

    @Test
    void anOversizedBodyIsA413Problem() {
        given().contentType(ContentType.JSON)
                .body("{\"type\":\"" + "x".repeat(2000) + "\"}")
                .post("/test/echo")
                .then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.PAYLOAD_TOO_LARGE.toString()));
    }

    /**
     * A client that sends its whole oversized body before it reads the answer (as the JDK client and
     * most others do) must still read the 413: closing with unread bytes would reset the connection
     * and throw the answer away.
     */
    @Test
    void aClientStillSendingItsOversizedBodyReadsThe413() throws Exception {
        byte[] body = ("{\"type\":\"" + "\u00e9".repeat(2_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/test/echo");
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 20; i++) { // the reset is a race: one try alone may win it
            HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, answer.statusCode());
            assertEquals(PROBLEM, answer.headers().firstValue("Content-Type").orElse(""));
        }
    }

    /** JAX-RS answers a query parameter it cannot convert with a 404, as if the resource were missing. */
    @Test
    void aQueryParameterOfTheWrongTypeIsA400() {
        given().get("/test/echo/count?limit=1.5")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.VALIDATION.toString()))
                .body("violations[0].field", equalTo("query.limit"));
    }

    /** Vert.x alone answers a request line over 4 KiB with a bare 414 and headers over 20 KiB with a bare 431. */
    @Test
    void aLongRequestLineIsA414Problem() {
        given().get("/test/echo?item=" + "a".repeat(5000))
                .then()
                .statusCode(414)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.URI_TOO_LONG.toString()));
    }

    @Test
    void oversizedHeadersAreA431Problem() {
        given().header("X-Big", "h".repeat(15_000))
                .header("X-Bigger", "h".repeat(15_000))
                .get("/test/echo")
                .then()
                .statusCode(431)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.HEADERS_TOO_LARGE.toString()));
    }

    @Test
    void anUnknownPathGetsASuiteType() {
        given().get("/test/nothing-here")
                .then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("type", startsWith(ProblemTypes.BASE));
    }

    @Test
    void aWrongMediaTypeGetsASuiteType() {
        given().contentType(ContentType.XML)
                .body("<a/>")
                .post("/test/echo")
                .then()
                .statusCode(415)
                .contentType(PROBLEM)
                .body("type", equalTo(ProblemTypes.UNSUPPORTED_MEDIA_TYPE.toString()));
    }
}
