package io.suite.posting.documents;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.suite.posting.Scenarios;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * AUTOMATIC_AND_MANAGED: receipts and transfers MANAGED, shipments AUTOMATIC (SERIALIZABLE, and still
 * EXCLUSIVE managed locks on the Stock rows they write): balance control holds across both.
 */
@QuarkusTest
@TestProfile(MixedModePostingTest.Mixed.class)
class MixedModePostingTest {

    public static class Mixed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "posting.lock-mode",
                    "AUTOMATIC_AND_MANAGED",
                    "posting.document-type-lock-mode.SHIPMENT",
                    "AUTOMATIC",
                    "posting.register-lock-mode.Sales",
                    "AUTOMATIC",
                    "posting.automatic-max-attempts",
                    "200");
        }
    }

    @TestHTTPResource("/")
    URL url;

    @Test
    void managedReceiptsAndAutomaticShipmentsNeverBothPassTheBalanceCheck() {
        Scenarios.balanceControlHoldsUnderConcurrency(url.getPort());
        given().get("/v1/registers/check").then().body("consistent", equalTo(true));
    }
}
