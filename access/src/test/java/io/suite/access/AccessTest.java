package io.suite.access;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.suite.testing.AuthRefusals;
import io.suite.testing.DefaultBearer;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
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
