package io.suite.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * Access tokens from the real Keycloak that {@code ./suite infra} runs (realm {@code suite}, DESIGN.md
 * "Security"): people through the public client {@code suite-cli} (password grant, password = user name),
 * services through their own client-credentials. Tokens are kept until 30 s before they expire.
 */
public final class Tokens {
    /** The realm's issuer; {@code -Dsuite.oidc.issuer} or {@code SUITE_OIDC_ISSUER} to use another. */
    public static final String ISSUER = System.getProperty(
            "suite.oidc.issuer",
            System.getenv().getOrDefault("SUITE_OIDC_ISSUER", "http://127.0.0.1:8180/realms/suite"));

    /**
     * Who tests are by default ({@code -Dsuite.test.user}): the realm's local user {@code tester} holds every
     * role, so a test that is not about roles needs no token of its own. Tests of roles name their users.
     */
    public static final String DEFAULT_USER = System.getProperty("suite.test.user", "tester");

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, Token> CACHE = new ConcurrentHashMap<>();
    private static final Map<String, String> EXPIRED = new ConcurrentHashMap<>();

    private Tokens() {}

    record Token(String accessToken, Instant renewAfter) {}

    /** A token of a person of the realm (reader, clerk, operator, admin, locker, locker2). */
    public static String of(String user) {
        return cached(
                "user:" + user,
                () -> Map.of("grant_type", "password", "client_id", "suite-cli", "username", user, "password", user));
    }

    /** A service's own token (client-credentials), e.g. {@code service("posting-service", "posting-service-local-secret")}. */
    public static String service(String clientId, String secret) {
        return cached(
                "client:" + clientId,
                () -> Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
    }

    /** {@code Authorization} header value for a person. */
    public static String bearer(String user) {
        return "Bearer " + of(user);
    }

    /** {@code Authorization} header value for {@link #DEFAULT_USER}. */
    public static String bearer() {
        return bearer(DEFAULT_USER);
    }

    /**
     * A token the realm really signed for {@code user} that has expired: from client {@code suite-cli-expiring},
     * whose tokens live 1 s, returned once its {@code exp} (whole seconds) is behind us.
     */
    public static String expired(String user) {
        return EXPIRED.computeIfAbsent(user, Tokens::expire);
    }

    private static String expire(String user) {
        Http.Answer answer = request(Map.of(
                "grant_type", "password", "client_id", "suite-cli-expiring", "username", user, "password", user));
        if (answer.status() != 200) {
            throw new IllegalStateException("no token (" + answer.status() + "): " + answer.body());
        }
        String token = answer.json().path("access_token").asText();
        Instant expiry = Instant.ofEpochSecond(claims(token).path("exp").asLong());
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(expiry.plusSeconds(1)));
        return token;
    }

    /** A real token of {@code user} whose claims were changed to give it {@code role}: its signature no longer fits. */
    public static String forged(String user, String role) {
        String[] parts = of(user).split("\\.");
        ObjectNode claims = (ObjectNode) claims(of(user));
        claims.putObject("realm_access").putArray("roles").add(role).add("reader");
        return parts[0] + "." + base64(claims.toString()) + "." + parts[2];
    }

    /** {@code user}'s real claims under {@code "alg":"none"} and no signature, as an attacker would send them. */
    public static String unsigned(String user) {
        String[] parts = of(user).split("\\.");
        return base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The token's claims (not verified: for tests that look at what the realm put in). */
    public static JsonNode claims(String token) {
        String[] parts = token.split("\\.");
        try {
            return Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException e) {
            throw new IllegalStateException("not a JWT: " + token, e);
        }
    }

    /** The raw answer of the token endpoint to this form, for tests of refusals. */
    public static Http.Answer request(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(ISSUER + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Http.Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak at " + ISSUER + " did not answer (./suite infra starts it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String cached(String key, Supplier<Map<String, String>> form) {
        Token token = CACHE.get(key);
        if (token != null && Instant.now().isBefore(token.renewAfter())) {
            return token.accessToken(); // the usual case, without compute()'s lock (benchmarks ask per request)
        }
        return CACHE.compute(
                        key,
                        (k, old) -> old != null && Instant.now().isBefore(old.renewAfter()) ? old : fetch(form.get()))
                .accessToken();
    }

    private static Token fetch(Map<String, String> form) {
        Http.Answer answer = request(form);
        if (answer.status() != 200) {
            throw new IllegalStateException("no token (" + answer.status() + "): " + answer.body());
        }
        JsonNode json = answer.json();
        return new Token(
                json.path("access_token").asText(),
                Instant.now().plusSeconds(Math.max(0, json.path("expires_in").asLong() - 30)));
    }
}
