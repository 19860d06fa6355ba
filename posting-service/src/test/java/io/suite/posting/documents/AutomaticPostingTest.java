package io.suite.posting.documents;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.suite.posting.Scenarios;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static io.suite.posting.Api.create;
import static io.suite.posting.Api.doc;
import static io.suite.posting.Api.line;
import static io.suite.posting.Api.receipt;
import static org.hamcrest.Matchers.equalTo;

/** AUTOMATIC mode: SERIALIZABLE with retries, no lock-service; balance control must hold the same. */
@QuarkusTest
@TestProfile(AutomaticPostingTest.Automatic.class)
class AutomaticPostingTest {

    public static class Automatic implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("posting.lock-mode", "AUTOMATIC", "posting.automatic-max-attempts", "200");
        }
    }

    @TestHTTPResource("/")
    URL url;

    @Test
    void balanceControlHoldsUnder40ConcurrentShipments() {
        Scenarios.balanceControlHoldsUnderConcurrency(url.getPort());
    }

    @Test
    void unpostThatWouldMakeStockNegativeIsRefused() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String receipt = receipt(item, wh, 2);
        create(doc("SHIPMENT", true, line(item, wh, 2))).then().statusCode(201);
        given().post("/v1/documents/" + receipt + "/unpost")
                .then()
                .statusCode(422)
                .body("type", equalTo("https://suite.dev/problems/insufficient-stock"));
    }
}
