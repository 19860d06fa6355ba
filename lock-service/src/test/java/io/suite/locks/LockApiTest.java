package io.suite.locks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.suite.testing.AuthRefusals;
import io.suite.testing.Management;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock API against the real Redis: grants, conflicts, waits, deadlocks, leases, errors. */
@QuarkusTest
class LockApiTest {
    @Inject
    LockStore store;

    @Inject
    LockScript script;

    private final Api api = Api.local();

    static List<ConflictCases.Case> cases() {
        return ConflictCases.ALL;
    }

    /** The same table as ConflictRuleTest, decided by the Lua script in Redis. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void redisAgreesWithTheConflictTable(ConflictCases.Case c) {
        String prefix = Unique.name("conf");
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        api.lockItem(a, 0, c.a().replace("\"space\":\"", "\"space\":\"" + prefix))
                .then()
                .statusCode(200);
        api.lockItem(b, 0, c.b().replace("\"space\":\"", "\"space\":\"" + prefix))
                .then()
                .statusCode(c.conflict() ? 423 : 200);
        api.end(a).then().statusCode(204);
        api.end(b).then().statusCode(204);
    }

    @Test
    void grantsAllItemsOrNone() {
        String space = Unique.name("Stock");
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        api.lockItem(a, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W2\"}"))
                .then()
                .statusCode(200);
        // b asks for W1 (free) and W2 (held by a) together: nothing is granted
        api.lock(
                        b,
                        "{\"timeoutMs\":0,\"items\":[" + Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}") + ","
                                + Api.item(space, "EXCLUSIVE", "{\"w\":\"W2\"}") + "]}")
                .then()
                .statusCode(423)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://suite.dev/problems/lock-timeout"));
        api.get(b).then().statusCode(200).body("locks", empty());
        Api.Tx c = api.begin("c");
        api.lockItem(c, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(200);
        api.end(a);
        api.end(b);
        api.end(c);
    }

    @Test
    void reentrantAndUpgrades() {
        String space = Unique.name("Stock");
        String row = Api.item(space, "SHARED", "{\"w\":\"W1\",\"i\":\"A\"}");
        String rowX = Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\",\"i\":\"A\"}");
        Api.Tx a = api.begin("a");
        api.lockItem(a, 0, row).then().statusCode(200);
        api.lockItem(a, 0, row).then().statusCode(200);
        api.lockItem(a, 0, rowX).then().statusCode(200); // upgrade, nobody else holds it
        api.lockItem(a, 0, Api.item(space, "SHARED", "{\"w\":\"W1\"}")).then().statusCode(200); // never waits on itself
        api.get(a).then().statusCode(200).body("locks", hasSize(2)).body("locks.mode", hasItems("EXCLUSIVE", "SHARED"));
        Api.Tx b = api.begin("b");
        api.lockItem(b, 0, row).then().statusCode(423);
        api.end(a);

        // an upgrade waits for the other SHARED holder
        Api.Tx c = api.begin("c");
        api.lockItem(b, 0, row).then().statusCode(200);
        api.lockItem(c, 0, row).then().statusCode(200);
        api.lockItem(b, 0, rowX).then().statusCode(423);
        api.end(c);
        api.lockItem(b, 0, rowX).then().statusCode(200);
        api.end(b);
    }

    @Test
    void fencingTokensOnlyGrow() {
        String space = Unique.name("Stock");
        long last = 0;
        for (int i = 0; i < 5; i++) {
            Api.Tx t = api.begin("t" + i);
            long token = api.lockItem(t, 0, Api.item(space, "EXCLUSIVE", "{}"))
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getLong("fencingToken");
            assertTrue(token > last, "token " + token + " after " + last);
            last = token;
            api.end(t);
        }
    }

    @Test
    void fencingTokensStillGrowAfterRedisLosesTheCounter() {
        String space = Unique.name("Stock");
        Api.Tx before = api.begin("before");
        long last = api.lockItem(before, 0, Api.item(space, "EXCLUSIVE", "{}"))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("fencingToken");
        api.end(before);
        store.command("DEL", store.key("fence"))
                .await()
                .indefinitely(); // as after a Redis wipe or failover without the data
        Api.Tx after = api.begin("after");
        long token = api.lockItem(after, 0, Api.item(space, "EXCLUSIVE", "{}"))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("fencingToken");
        assertTrue(token > last, "token " + token + " after " + last);
        api.end(after);
    }

    /** A failover to a replica that lagged: the counter is there, but older than tokens already handed out. */
    @Test
    void fencingTokensNeverRepeatAfterTheCounterGoesBack() {
        String space = Unique.name("Stock");
        long last = 0;
        for (int i = 0; i < 3; i++) {
            Api.Tx t = api.begin("before-" + i);
            last = Math.max(
                    last,
                    api.lockItem(t, 0, Api.item(space, "EXCLUSIVE", "{}"))
                            .then()
                            .statusCode(200)
                            .extract()
                            .jsonPath()
                            .getLong("fencingToken"));
            api.end(t);
        }
        store.command("SET", store.key("fence"), "5").await().indefinitely(); // what the lagging replica had
        Api.Tx after = api.begin("after");
        String raw = api.lockItem(after, 0, Api.item(space, "EXCLUSIVE", "{}"))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("fencingToken");
        assertTrue(raw.matches("\\d+"), "an integer, not Lua's 1.7e+15: " + raw);
        long token = Long.parseLong(raw);
        assertTrue(token > last, "token " + token + " after " + last);
        assertEquals(
                raw,
                store.command("GET", store.key("fence")).await().indefinitely().toString());
        api.end(after);
    }

    /** The holders-by-value index (hc) is a shortcut: lost or wrong, as beside an older version, held items still decide. */
    @Test
    void aLostOrWrongHolderIndexNeverGrantsAConflict() {
        String space = Unique.name("Stock");
        String row = "{\"item\":\"A\",\"warehouse\":\"W1\"}";
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        api.lockItem(a, 0, Api.item(space, "EXCLUSIVE", row)).then().statusCode(200);
        for (String index : new String[] {null, "Xghost", "Sghost,X" + b.id()}) {
            if (index == null) {
                // 1: the script keeps the index under the name the codec gives it (else this test would test nothing)
                assertEquals(
                        1,
                        store.command("DEL", script.spaceKey("hc", space))
                                .await()
                                .indefinitely()
                                .toInteger());
            } else {
                store.command("HSET", script.spaceKey("hc", space), row, index)
                        .await()
                        .indefinitely();
            }
            api.lockItem(b, 0, Api.item(space, "EXCLUSIVE", row))
                    .then()
                    .statusCode(423)
                    .body("blockedBy.transaction", contains(a.id()));
            api.lockItem(a, 0, Api.item(space, "EXCLUSIVE", row)).then().statusCode(200); // never blocked by itself
        }
        api.end(a).then().statusCode(204);
        api.lockItem(b, 0, Api.item(space, "EXCLUSIVE", row)).then().statusCode(200);
        api.end(b);
    }

    /** indexLost: the waiter index (wshapes) gone, as for waits queued by an older version: the queue is scanned. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void waitsAreFairAndWokenByTheRelease(boolean indexLost) throws Exception {
        String space = Unique.name("Stock");
        String k = "{\"k\":1}";
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        Api.Tx c = api.begin("c");
        api.lockItem(a, 0, Api.item(space, "SHARED", k)).then().statusCode(200);
        CompletableFuture<Response> bWaits =
                api.lockAsync(b, "{\"timeoutMs\":60000,\"items\":[" + Api.item(space, "EXCLUSIVE", k) + "]}");
        await().until(() -> api.locks(space).path("waits.transaction"), hasItem(b.id()));
        if (indexLost) {
            assertEquals(
                    1,
                    store.command("DEL", script.spaceKey("wshapes", space))
                            .await()
                            .indefinitely()
                            .toInteger());
        }
        // c's SHARED request fits a's lock but must not overtake b's earlier EXCLUSIVE one
        api.lockItem(c, 0, Api.item(space, "SHARED", k))
                .then()
                .statusCode(423)
                .body("blockedBy.transaction", hasItem(b.id()));
        api.locks(space)
                .then()
                .body("waits[0].blockedBy", hasItem(a.id()))
                .body("waits[0].owner", equalTo("b"))
                .body("locks[0].owner", equalTo("a"))
                .body("locks[0].label", equalTo("a's work"))
                .body("locks[0].ageMs", notNullValue());
        api.end(a).then().statusCode(204);
        Response granted = bWaits.get();
        granted.then().statusCode(200).body("fencingToken", notNullValue()).body("escalated", empty());
        api.end(b);
        api.end(c);
    }

    /** An upgrade granted by a release must be seen by the rest of that release: no SHARED next to it. */
    @Test
    void anUpgradeGrantedOnReleaseKeepsLaterSharedRequestsWaiting() throws Exception {
        String space = Unique.name("Stock");
        String shared = Api.item(space, "SHARED", "{\"k\":1}");
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        Api.Tx c = api.begin("c");
        api.lockItem(a, 0, shared).then().statusCode(200);
        api.lockItem(b, 0, shared).then().statusCode(200);
        CompletableFuture<Response> upgrade =
                api.lockAsync(a, "{\"timeoutMs\":60000,\"items\":[" + Api.item(space, "EXCLUSIVE", "{\"k\":1}") + "]}");
        await().until(() -> api.locks(space).path("waits.transaction"), hasItem(a.id()));
        CompletableFuture<Response> later = api.lockAsync(c, "{\"timeoutMs\":3000,\"items\":[" + shared + "]}");
        await().until(() -> api.locks(space).path("waits.transaction"), hasItem(c.id()));
        api.end(b).then().statusCode(204);
        upgrade.get().then().statusCode(200);
        later.get()
                .then()
                .statusCode(423)
                .body("blockedBy[0].transaction", equalTo(a.id()))
                .body("blockedBy[0].mode", equalTo("EXCLUSIVE"));
        api.end(a);
        api.end(c);
    }

    @Test
    void timeoutNamesTheHolder() {
        String space = Unique.name("Stock");
        Api.Tx a = api.begin("posting-7f9c", "Shipment S-12", 30000);
        Api.Tx b = api.begin("b");
        api.lockItem(a, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(200);
        api.lockItem(b, 300, Api.item(space, "SHARED", "{\"w\":\"W1\",\"i\":\"A\"}"))
                .then()
                .statusCode(423)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://suite.dev/problems/lock-timeout"))
                .body("blockedBy[0].transaction", equalTo(a.id()))
                .body("blockedBy[0].principal", equalTo(Tokens.DEFAULT_USER))
                .body("blockedBy[0].owner", equalTo("posting-7f9c"))
                .body("blockedBy[0].label", equalTo("Shipment S-12"))
                .body("blockedBy[0].mode", equalTo("EXCLUSIVE"))
                .body("blockedBy[0].fields.w", equalTo("W1"));
        api.get(b).then().statusCode(200).body("waiting", equalTo(null)).body("locks", empty());
        api.locks(space).then().body("waits", empty());
        api.end(a);
        api.end(b);
    }

    @Test
    void deadlockIsAnsweredWithTheCycleAndEndsTheVictim() throws Exception {
        String space = Unique.name("Stock");
        String x = Api.item(space, "EXCLUSIVE", "{\"k\":\"X\"}");
        String y = Api.item(space, "EXCLUSIVE", "{\"k\":\"Y\"}");
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        api.lockItem(a, 0, x).then().statusCode(200);
        api.lockItem(b, 0, y).then().statusCode(200);
        CompletableFuture<Response> aWaits = api.lockAsync(a, "{\"timeoutMs\":120000,\"items\":[" + y + "]}");
        await().until(() -> api.locks(space).path("waits.transaction"), hasItem(a.id()));
        api.lockItem(b, 120000, x)
                .then()
                .statusCode(409)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://suite.dev/problems/deadlock"))
                .body("cycle", equalTo(List.of(b.id(), a.id())));
        api.get(b).then().statusCode(404);
        aWaits.get().then().statusCode(200);
        api.end(a);
    }

    @Test
    void anExpiredLeaseFreesTheLocks() {
        String space = Unique.name("Stock");
        Api.Tx crashed = api.begin("crashed", "never ends", 1000);
        api.lockItem(crashed, 0, Api.item(space, "EXCLUSIVE", "{}")).then().statusCode(200);
        Api.Tx b = api.begin("b");
        // b waits (longer than the lease) and gets the space when the lease runs out
        api.lockItem(b, 60000, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(200);
        api.get(crashed).then().statusCode(404).body("type", equalTo("https://suite.dev/problems/no-such-transaction"));
        given().get(Management.metrics()).then().body(containsString("locks_transactions_expired_total"));
        api.end(b);
    }

    @Test
    void renewalKeepsTheLease() {
        Api.Tx a = api.begin("a", "renewed", 1000);
        String first = api.get(a).path("expiresAt");
        await().pollInterval(Duration.ofMillis(100))
                .until(() -> !api.renew(a)
                        .then()
                        .statusCode(200)
                        .extract()
                        .<String>path("expiresAt")
                        .equals(first));
        api.end(a).then().statusCode(204);
    }

    @Test
    void onlyTheTokenHolderMayTouchTheTransaction() {
        Api.Tx a = api.begin("a");
        Api.Tx forged = new Api.Tx(a.id(), "not-the-token");
        String item = Api.item(Unique.name("Stock"), "EXCLUSIVE", "{}");
        api.lockItem(forged, 0, item).then().statusCode(403).contentType(containsString("application/problem+json"));
        api.renew(forged).then().statusCode(403);
        api.get(forged).then().statusCode(403);
        api.end(forged).then().statusCode(403);
        given().post("/v1/lock-transactions/" + a.id() + "/renew").then().statusCode(403);
        api.end(a).then().statusCode(204);
        api.end(a).then().statusCode(404).body("type", equalTo("https://suite.dev/problems/no-such-transaction"));
        api.lockItem(a, 0, item).then().statusCode(404);
        api.renew(a).then().statusCode(404);
        api.get(a).then().statusCode(404);
    }

    /** Who may call what (DESIGN.md "Security"): strangers 401, the wrong role 403, the least role 2xx. */
    @Test
    void everyEndpointNamesItsLeastRole() {
        String space = Unique.name("Roles");
        String begin = "{\"owner\":\"roles\",\"items\":[" + Api.item(space, "SHARED", "{}") + "]}";
        Api.Tx tx = api.as("locker").begin("roles");
        String on = "/v1/lock-transactions/" + tx.id();
        String lock = "{\"timeoutMs\":0,\"items\":[" + Api.item(space, "SHARED", "{}") + "]}";
        // acting on lock transactions: lock-client
        for (String[] call : new String[][] {
            {"POST", "/v1/lock-transactions", begin},
            {"POST", on + "/locks", lock},
            {"POST", on + "/renew", null},
            {"DELETE", on, null}
        }) {
            AuthRefusals.assertStrangersRefused(call[0], call[1], call[2], "locker");
            AuthRefusals.assertForbidden(call[0], call[1], call[2], "reader");
            AuthRefusals.assertForbidden(call[0], call[1], call[2], "clerk");
        }
        // the views: reader
        for (String path : List.of(on, "/v1/locks?space=" + space, "/v1/lock-incidents", "/v1/locks/stream")) {
            AuthRefusals.assertStrangersRefused("GET", path, null, "reader");
        }
        given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/locks?space=" + space)
                .then()
                .statusCode(200)
                .body("locks", empty());
        given().header("Authorization", Tokens.bearer("reader"))
                .get("/v1/lock-incidents?space=" + space)
                .then()
                .statusCode(200);
        // nothing a refused call tried happened: locker's transaction holds nothing, nobody began one here
        api.as("locker").get(tx).then().statusCode(200).body("locks", empty());
        api.as("locker").end(tx).then().statusCode(204);
    }

    /** Only the principal that began a transaction may act on it, even with its token; the views name it. */
    @Test
    void anotherPrincipalCannotActOnATransactionEvenWithItsToken() {
        String space = Unique.name("Stock");
        Api owner = api.as("locker2");
        Api other = api.as("locker");
        Api.Tx tx = owner.begin("locker2's", "Shipment S-9", 60_000);
        String item = Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}");
        owner.lockItem(tx, 0, item).then().statusCode(200);
        String expiresAt = owner.get(tx).then().statusCode(200).extract().path("expiresAt");

        for (Response refused : List.of(
                other.lockItem(tx, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W2\"}")),
                other.renew(tx),
                other.get(tx),
                other.end(tx))) {
            refused.then()
                    .statusCode(403)
                    .contentType(containsString("application/problem+json"))
                    .body("type", equalTo("https://suite.dev/problems/forbidden"));
        }
        // nothing changed: the same lock, the same lease, and the transaction is still locker2's
        api.locks(space)
                .then()
                .statusCode(200)
                .body("locks", hasSize(1))
                .body("locks[0].transaction", equalTo(tx.id()))
                .body("locks[0].principal", equalTo("locker2"))
                .body("locks[0].owner", equalTo("locker2's"))
                .body("locks[0].fields.w", equalTo("W1"));
        owner.get(tx)
                .then()
                .statusCode(200)
                .body("principal", equalTo("locker2"))
                .body("owner", equalTo("locker2's"))
                .body("label", equalTo("Shipment S-9"))
                .body("locks", hasSize(1));
        assertTrue(
                java.time.Instant.parse(expiresAt)
                        .isBefore(java.time.Instant.parse(
                                owner.renew(tx).then().statusCode(200).extract().path("expiresAt"))),
                "the refused renewal did not touch the lease; locker2's own does");
        owner.end(tx).then().statusCode(204);
    }

    /** posting-service's service account (client credentials) holds lock-client. */
    @Test
    void aServiceAccountLocksAsItself() {
        String space = Unique.name("Stock");
        Response begun = given().header(
                        "Authorization", "Bearer " + Tokens.service("posting-service", "posting-service-local-secret"))
                .contentType("application/json")
                .body("{\"owner\":\"posting-1\",\"timeoutMs\":0,\"items\":[" + Api.item(space, "EXCLUSIVE", "{}")
                        + "]}")
                .post("/v1/lock-transactions");
        begun.then().statusCode(201).body("fencingToken", notNullValue());
        api.locks(space)
                .then()
                .body("locks[0].principal", equalTo("service-account-posting-service"))
                .body("locks[0].owner", equalTo("posting-1"));
        given().header("Authorization", "Bearer " + Tokens.service("posting-service", "posting-service-local-secret"))
                .header("X-Lock-Token", begun.path("token").toString())
                .delete("/v1/lock-transactions/" + begun.path("id"))
                .then()
                .statusCode(204);
    }

    static List<String> badBodies() {
        String many = "{\"space\":\"S\",\"rows\":[" + "{\"k\":1},".repeat(10000) + "{\"k\":2}]}";
        return List.of(
                "{\"items\":[{\"space\":\"S\",\"mode\":\"EXCLUSIVE\"",
                "not json",
                "{\"items\":[{\"space\":\"S\",\"mode\":\"UPDATE\"}]}",
                "{\"items\":[{\"space\":\"S\",\"fields\":{\"d\":{\"from\":\"2026-02-01\",\"to\":\"2026-01-01\"}}}]}",
                "{\"items\":[{\"space\":\"S\",\"fields\":{\"w\":\"W1\"},\"rows\":[{\"w\":\"W1\"}]}]}",
                "{\"items\":[" + many + "]}",
                "{\"items\":[{\"space\":\"S\",\"fields\":{\"w\":true}}]}",
                "{\"items\":[{\"space\":\"S\",\"fields\":{\"w\":{\"in\":[]}}}]}",
                "{\"items\":[{\"space\":\"S\",\"fields\":{\"w\":{\"from\":1,\"to\":\"9\"}}}]}",
                "{\"items\":[{\"space\":\"S\",\"fields\":{\"w\":{\"like\":\"W%\"}}}]}",
                "{\"items\":[{\"space\":42}]}",
                "{\"items\":[{\"space\":\"S\",\"feilds\":{\"w\":\"W1\"}}]}",
                "{\"items\":[]}",
                "{\"items\":\"S\"}",
                "{\"timeoutMs\":\"soon\",\"items\":[{\"space\":\"S\"}]}",
                "{\"timeoutMs\":-1,\"items\":[{\"space\":\"S\"}]}",
                "{\"timeoutMs\":600001,\"items\":[{\"space\":\"S\"}]}",
                "{\"items\":[{\"space\":\"S\",\"rows\":[{\"w\":{\"in\":[\"A\"]}}]}]}",
                "{\"items\":[{\"space\":\"S\",\"fields\":{\"n\":1234567890.1234567}}]}",
                "[1,2]");
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void badLockRequestsAre400AndLockNothing(String body) {
        Api.Tx a = api.begin("a");
        api.lock(a, body.replace("\"S\"", "\"" + Unique.name("bad") + "\""))
                .then()
                .statusCode(400)
                .contentType(containsString("application/problem+json"));
        api.get(a).then().statusCode(200).body("locks", empty()).body("waiting", equalTo(null));
        api.end(a);
    }

    @Test
    void badBeginsAre400() {
        for (String body : List.of(
                "{\"leaseMs\":999}",
                "{\"leaseMs\":600001}",
                "{\"leaseMs\":\"long\"}",
                "{\"owner\":7}",
                "{\"owner\":\"" + "o".repeat(201) + "\"}",
                "{\"label\":\"" + "l".repeat(501) + "\"}",
                "{\"owner\":",
                "{\"lease\":1000}")) {
            given().contentType("application/json")
                    .body(body)
                    .post("/v1/lock-transactions")
                    .then()
                    .statusCode(400)
                    .contentType(containsString("application/problem+json"));
        }
        given().contentType("application/json")
                .body("{\"leaseMs\":1000}")
                .post("/v1/lock-transactions")
                .then()
                .statusCode(201)
                .body("leaseMs", equalTo(1000));
        given().contentType("application/json")
                .post("/v1/lock-transactions")
                .then()
                .statusCode(201)
                .body("leaseMs", equalTo(30000));
    }

    @Test
    void oneWaitingRequestPerTransaction() throws Exception {
        String space = Unique.name("Stock");
        Api.Tx a = api.begin("a");
        Api.Tx b = api.begin("b");
        api.lockItem(a, 0, Api.item(space, "EXCLUSIVE", "{}")).then().statusCode(200);
        CompletableFuture<Response> waiting =
                api.lockAsync(b, "{\"timeoutMs\":60000,\"items\":[" + Api.item(space, "EXCLUSIVE", "{}") + "]}");
        await().until(() -> api.get(b).path("waiting"), notNullValue());
        api.lockItem(b, 0, Api.item(Unique.name("Other"), "EXCLUSIVE", "{}"))
                .then()
                .statusCode(409);
        api.end(a);
        assertEquals(200, waiting.get().statusCode());
        api.end(b);
    }
}
