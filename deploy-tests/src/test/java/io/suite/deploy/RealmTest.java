package io.suite.deploy;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Http;
import io.suite.testing.Tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The realm {@code suite} (infra/keycloak/realm-suite.json) as the running Keycloak serves it: the users,
 * roles and clients DESIGN.md "Security" names, with every role including reader and admin including
 * operator. Fails when the realm file drifts from the contract.
 */
class RealmTest {

    @ParameterizedTest(name = "{0} has {1}")
    @CsvSource(
            delimiter = ';',
            value = {
                "reader;reader",
                "clerk;clerk reader",
                "operator;operator reader",
                "admin;admin operator reader",
                "locker;lock-client reader",
                "locker2;lock-client reader",
                // the local user of tests: every role (dev realm only; no overlay for production has a realm)
                "tester;admin operator reader clerk lock-client"
            })
    void everyPersonHasExactlyTheRolesOfTheContract(String user, String roles) {
        JsonNode claims = Tokens.claims(Tokens.of(user));
        assertEquals(user, claims.path("preferred_username").asText());
        assertEquals(Set.of(roles.split(" ")), realmRoles(claims));
    }

    @ParameterizedTest(name = "{0} calls as {1}")
    @CsvSource(
            delimiter = ';',
            value = {"posting-service;lock-client reader", "backup-service;operator reader"})
    void servicesCallWithTheirOwnClientCredentials(String client, String roles) {
        JsonNode claims = Tokens.claims(Tokens.service(client, client + "-local-secret"));
        assertEquals(client, claims.path("azp").asText());
        assertEquals(Set.of(roles.split(" ")), realmRoles(claims));
    }

    @Test
    void theExpiringClientsTokensLiveOneSecond() {
        Http.Answer answer = Tokens.request(Map.of(
                "grant_type",
                "password",
                "client_id",
                "suite-cli-expiring",
                "username",
                "reader",
                "password",
                "reader"));
        assertEquals(200, answer.status(), answer.body());
        JsonNode claims = Tokens.claims(answer.json().path("access_token").asText());
        assertEquals(1, claims.path("exp").asLong() - claims.path("iat").asLong());
    }

    @Test
    void aWrongPasswordOrSecretGetsNoToken() {
        Http.Answer wrongPassword = Tokens.request(Map.of(
                "grant_type", "password", "client_id", "suite-cli", "username", "admin", "password", "not-admin"));
        assertEquals(401, wrongPassword.status(), wrongPassword.body());
        assertFalse(wrongPassword.body().contains("access_token"));
        Http.Answer wrongSecret = Tokens.request(
                Map.of("grant_type", "client_credentials", "client_id", "backup-service", "client_secret", "guessed"));
        assertEquals(401, wrongSecret.status(), wrongSecret.body());
    }

    @Test
    void peopleCannotUseAServiceClientNorServicesThePeoplesClient() {
        // suite-cli is public: no client-credentials token without a person behind it
        Http.Answer cli = Tokens.request(Map.of("grant_type", "client_credentials", "client_id", "suite-cli"));
        assertTrue(cli.status() >= 400 && cli.status() < 500, cli.body());
        // a service client takes no passwords
        Http.Answer service = Tokens.request(Map.of(
                "grant_type",
                "password",
                "client_id",
                "posting-service",
                "client_secret",
                "posting-service-local-secret",
                "username",
                "admin",
                "password",
                "admin"));
        assertTrue(service.status() >= 400 && service.status() < 500, service.body());
    }

    private static Set<String> realmRoles(JsonNode claims) {
        Set<String> roles = new TreeSet<>();
        claims.path("realm_access").path("roles").forEach(r -> roles.add(r.asText()));
        return roles;
    }
}
