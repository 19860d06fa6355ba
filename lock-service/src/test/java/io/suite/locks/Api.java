package io.suite.locks;

import java.util.concurrent.CompletableFuture;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;

/**
 * Small REST client of the lock API for tests (rest-assured, against the app under test or a URL), calling as a
 * realm user ({@link Tokens#DEFAULT_USER} unless named).
 */
final class Api {
    record Tx(String id, String token) {}

    private final String base;
    private final String user;

    Api(String base) {
        this(base, Tokens.DEFAULT_USER);
    }

    private Api(String base, String user) {
        this.base = base;
        this.user = user;
    }

    /** The @QuarkusTest app. */
    static Api local() {
        return new Api(null);
    }

    /** The same app or URL, called as {@code user}. */
    Api as(String user) {
        return new Api(base, user);
    }

    private RequestSpecification spec() {
        RequestSpecification s = given().contentType("application/json").header("Authorization", Tokens.bearer(user));
        return base == null ? s : s.baseUri(base);
    }

    Tx begin(String owner, String label, long leaseMs) {
        Response r = spec().body(
                        "{\"owner\":\"" + owner + "\",\"label\":\"" + label + "\",\"leaseMs\":" + leaseMs + "}")
                .post("/v1/lock-transactions");
        r.then().statusCode(201);
        return new Tx(r.path("id"), r.path("token"));
    }

    Tx begin(String owner) {
        return begin(owner, owner + "'s work", 30000);
    }

    Response lock(Tx tx, String body) {
        return spec().header("X-Lock-Token", tx.token()).body(body).post("/v1/lock-transactions/" + tx.id() + "/locks");
    }

    CompletableFuture<Response> lockAsync(Tx tx, String body) {
        return CompletableFuture.supplyAsync(() -> lock(tx, body));
    }

    /** A lock request of one item in the API's form. */
    Response lockItem(Tx tx, long timeoutMs, String itemJson) {
        return lock(tx, "{\"timeoutMs\":" + timeoutMs + ",\"items\":[" + itemJson + "]}");
    }

    Response end(Tx tx) {
        return spec().header("X-Lock-Token", tx.token()).delete("/v1/lock-transactions/" + tx.id());
    }

    Response get(Tx tx) {
        return spec().header("X-Lock-Token", tx.token()).get("/v1/lock-transactions/" + tx.id());
    }

    Response renew(Tx tx) {
        return spec().header("X-Lock-Token", tx.token()).post("/v1/lock-transactions/" + tx.id() + "/renew");
    }

    Response locks(String space) {
        return spec().queryParam("space", space).get("/v1/locks");
    }

    static String item(String space, String mode, String fields) {
        return "{\"space\":\"" + space + "\",\"mode\":\"" + mode + "\",\"fields\":" + fields + "}";
    }
}
