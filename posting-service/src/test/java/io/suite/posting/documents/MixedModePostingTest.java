package io.suite.posting.documents;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.suite.posting.Api;
import io.suite.posting.Scenarios;
import io.suite.testing.SentTokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                    "200",
                    // posting-service's tokens live 300 s: renewed while they have 299 s left, each serves about a
                    // second, so the postings here run across many renewals (production: 30 s before expiry)
                    "quarkus.oidc-client.refresh-token-time-skew",
                    "299S",
                    "quarkus.rest-client.lock-service.providers",
                    SentTokens.class.getName());
        }
    }

    @TestHTTPResource("/")
    URL url;

    /**
     * The lock calls carry posting-service's own token, renewed before it expires: documents keep posting (each a
     * 201) while the token is replaced again and again, and no call ever went out with none or an expired one.
     */
    @Test
    void documentsKeepPostingWhileTheServiceTokenIsRenewed() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        int before = SentTokens.distinctTokens();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Api.receipt(item, wh, 1);
            return SentTokens.distinctTokens() >= before + 3;
        });
        List<SentTokens.Sent> sent = SentTokens.sent();
        assertFalse(sent.isEmpty());
        for (SentTokens.Sent s : sent) {
            assertNotNull(s.token(), "a lock call without a token at " + s.at());
            assertEquals("service-account-posting-service", s.principal());
            assertTrue(s.unexpired(), "an expired token sent at " + s.at());
        }
        Api.assertConsistent();
    }

    @Test
    void managedReceiptsAndAutomaticShipmentsNeverBothPassTheBalanceCheck() {
        Scenarios.balanceControlHoldsUnderConcurrency(url.getPort());
        given().get("/v1/registers/check").then().body("consistent", equalTo(true));
    }
}
