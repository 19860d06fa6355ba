package io.suite.testing;

import java.util.LinkedHashMap;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * The refusals every guarded endpoint owes (DESIGN.md "Security"), for a service's own {@code @QuarkusTest}: a
 * caller without a valid token gets 401 {@code .../unauthorized} with {@code WWW-Authenticate: Bearer}, one without
 * the role 403 {@code .../forbidden}, both problem+json. Whether nothing changed is the calling test's to check.
 */
public final class AuthRefusals {
    public static final String PROBLEM = "application/problem+json";
    private static final String TYPES = "https://suite.dev/problems/";

    private AuthRefusals() {}

    /** The tokens a stranger may try, by name: none, an expired one, a forged one, an unsigned one. */
    public static Map<String, String> strangers(String user) {
        Map<String, String> tokens = forgedOrMissing(user);
        tokens.put("expired", Tokens.expired(user));
        return tokens;
    }

    /** The strangers' tokens that need no wait: none, forged, unsigned, garbage. */
    private static Map<String, String> forgedOrMissing(String user) {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("none", null);
        tokens.put("forged", Tokens.forged(user, "admin"));
        tokens.put("alg none", Tokens.unsigned(user));
        tokens.put("garbage", "not-a-token");
        return tokens;
    }

    /** Every stranger's token (made from {@code user}'s, who would be allowed) gets 401 on this call. */
    public static void assertStrangersRefused(String method, String path, String jsonBody, String user) {
        assertRefused(method, path, jsonBody, strangers(user));
    }

    /**
     * As {@link #assertStrangersRefused} but without the expired token, which takes a second to expire: for the
     * smoke tests of a packaged artifact, where the signature check is what may differ.
     */
    public static void assertForgedOrMissingTokensRefused(String method, String path, String jsonBody, String user) {
        assertRefused(method, path, jsonBody, forgedOrMissing(user));
    }

    private static void assertRefused(String method, String path, String jsonBody, Map<String, String> tokens) {
        tokens.forEach((name, token) -> request(token == null ? null : "Bearer " + token, jsonBody)
                .request(method, path)
                .then()
                .log()
                .ifValidationFails()
                .statusCode(401)
                .contentType(PROBLEM)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("type", equalTo(TYPES + "unauthorized"))
                .body("status", equalTo(401)));
    }

    /** {@code user}, who has a valid token but not the role, gets 403 on this call. */
    public static void assertForbidden(String method, String path, String jsonBody, String user) {
        request(Tokens.bearer(user), jsonBody)
                .request(method, path)
                .then()
                .log()
                .ifValidationFails()
                .statusCode(403)
                .contentType(PROBLEM)
                .body("type", equalTo(TYPES + "forbidden"))
                .body("status", equalTo(403));
    }

    private static RequestSpecification request(String authorization, String jsonBody) {
        RequestSpecification spec = authorization == null
                ? given().header(DefaultBearer.ANONYMOUS)
                : given().header("Authorization", authorization);
        return jsonBody == null ? spec : spec.contentType(ContentType.JSON).body(jsonBody);
    }
}
