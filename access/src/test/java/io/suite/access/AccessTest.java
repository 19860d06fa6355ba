package io.suite.access;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.suite.testing.AuthRefusals;
import io.suite.testing.DefaultBearer;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Against the real Keycloak of {@code ./suite infra} (realm suite). */
@QuarkusTest
class AccessTest {
    @Test
    void handBuiltKafkaClientsGetTheConfiguredCredentials() {
        Properties client = KafkaCredentials.addTo(new Properties());
        assertEquals("SASL_PLAINTEXT", client.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"));
        assertEquals(3, client.size(), client.toString()); // and nothing else of the kafka.* keys
    }

    @Test
    void strangersGet401AsProblemWithABearerChallenge() {
        // reader's real token first, so that it is remembered (VerifiedTokens): the forged and alg-none copies of
        // its claims are other tokens, verified and refused
        given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/test/guarded")
                .then()
                .statusCode(200);
        AuthRefusals.assertStrangersRefused("GET", "/v1/test/guarded", null, "reader");
        AuthRefusals.assertStrangersRefused("POST", "/v1/test/guarded", "{\"reason\":\"x\"}", "operator");
    }

    @Test
    void aTokenWithoutTheRoleGets403() {
        AuthRefusals.assertForbidden("POST", "/v1/test/guarded", "{\"reason\":\"x\"}", "reader");
        AuthRefusals.assertForbidden("POST", "/v1/test/guarded", "{\"reason\":\"x\"}", "clerk");
    }

    @Test
    void theRightRoleGetsIn_andThePrincipalIsTheUserName() {
        given().header("Authorization", Tokens.bearer("clerk"))
                .get("/v1/test/guarded")
                .then()
                .statusCode(200)
                .body(equalTo("clerk"));
        // admin includes operator: the realm's composite roles reach the token
        given().header("Authorization", Tokens.bearer("admin"))
                .contentType(ContentType.JSON)
                .body("{\"reason\":\"x\"}")
                .post("/v1/test/guarded")
                .then()
                .statusCode(200)
                .body("reason", equalTo("x"));
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() {
        // client suite-cli-expiring's tokens live 1 s: one that still gets in, and so is remembered, ...
        AtomicReference<String> token = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            token.set(Tokens.request(Map.of(
                            "grant_type", "password",
                            "client_id", "suite-cli-expiring",
                            "username", "reader",
                            "password", "reader"))
                    .json()
                    .path("access_token")
                    .asText());
            return whoAmI(token.get()) == 200;
        });
        // ... is refused once its exp has passed, long before the 60 s an entry may live otherwise
        await().atMost(Duration.ofSeconds(10)).until(() -> whoAmI(token.get()) == 401);
        given().header("Authorization", "Bearer " + token.get())
                .get("/v1/test/guarded")
                .then()
                .statusCode(401)
                .contentType(AuthRefusals.PROBLEM)
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void rememberedTokensKeepTheirOwnPrincipals() {
        for (int round = 0; round < 2; round++) {
            for (String user : new String[] {"reader", "clerk", "operator"}) {
                given().header("Authorization", Tokens.bearer(user))
                        .get("/v1/test/guarded")
                        .then()
                        .statusCode(200)
                        .body(equalTo(user));
            }
        }
    }

    private static int whoAmI(String token) {
        return given().header("Authorization", "Bearer " + token)
                .get("/v1/test/guarded")
                .statusCode();
    }

    @Test
    void aServiceAccountIsNamedByItsClient() {
        given().header("Authorization", "Bearer " + Tokens.service("backup-service", "backup-service-local-secret"))
                .get("/v1/test/guarded")
                .then()
                .statusCode(200)
                .body(equalTo("service-account-backup-service"));
    }

    @Test
    void theKubectlPluginsHeaderCarriesATokenThroughTheApiServerProxy() {
        given().header(DefaultBearer.ANONYMOUS)
                .header(ForwardedToken.HEADER, Tokens.bearer("operator"))
                .get("/v1/test/guarded")
                .then()
                .statusCode(200)
                .body(equalTo("operator"));
        // ... and is checked like any other
        given().header(DefaultBearer.ANONYMOUS)
                .header(ForwardedToken.HEADER, "Bearer " + Tokens.forged("reader", "operator"))
                .get("/v1/test/guarded")
                .then()
                .statusCode(401);
    }

    @Test
    void aBadBodyFromAStrangerIsNotEvenRead() {
        given().header(DefaultBearer.ANONYMOUS)
                .contentType(ContentType.JSON)
                .body("{\"reason\":")
                .post("/v1/test/guarded")
                .then()
                .statusCode(401);
    }

    @Test
    void anEndpointThatNamesNoRoleIsClosed_andPermitAllIsOpen() {
        given().get("/v1/test/guarded/forgotten").then().statusCode(403).contentType(AuthRefusals.PROBLEM);
        given().header(DefaultBearer.ANONYMOUS)
                .get("/v1/test/guarded/open")
                .then()
                .statusCode(200);
    }
}
