package io.suite.locks;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Begin with items (beyond DESIGN.md): {@code POST /v1/lock-transactions} with {@code items} begins the
 * transaction and locks them in one call, all or nothing: a refusal leaves no transaction behind.
 */
@QuarkusTest
class BeginWithItemsTest {
    private final Api api = Api.local();

    @Inject
    LockStore store;

    private static Response beginWith(String owner, long timeoutMs, String item) {
        return given().contentType("application/json")
                .body("{\"owner\":\"" + owner + "\",\"label\":\"" + owner + "'s work\",\"timeoutMs\":" + timeoutMs
                        + ",\"items\":[" + item + "]}")
                .post("/v1/lock-transactions");
    }

    private static Api.Tx tx(Response r) {
        return new Api.Tx(r.path("id"), r.path("token"));
    }

    /** Open transactions (leases) under this test run's key prefix. */
    private long open() {
        return store.command("ZCARD", store.key("leases"))
                .await()
                .indefinitely()
                .toLong();
    }

    @Test
    void beginsAndLocksInOneCall() {
        String item = Api.item(Unique.name("Stock"), "EXCLUSIVE", "{\"w\":\"W1\"}");
        Response r = beginWith("a", 0, item);
        r.then()
                .statusCode(201)
                .header("Location", containsString("/v1/lock-transactions/"))
                .body("token", notNullValue())
                .body("leaseMs", equalTo(30000))
                .body("expiresAt", notNullValue())
                .body("fencingToken", notNullValue())
                .body("waitedMs", notNullValue())
                .body("escalated", empty());
        Api.Tx a = tx(r);
        api.get(a).then().statusCode(200).body("locks", hasSize(1)).body("locks[0].mode", equalTo("EXCLUSIVE"));
        // the usual calls work on it
        api.lockItem(a, 0, Api.item(Unique.name("Other"), "SHARED", "{}"))
                .then()
                .statusCode(200);
        api.end(a).then().statusCode(204);
        api.get(a).then().statusCode(404);
    }

    @Test
    void aRefusalLeavesNoTransaction() {
        String space = Unique.name("Stock");
        String item = Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}");
        Api.Tx a = tx(
                beginWith("posting-1", 0, item).then().statusCode(201).extract().response());
        long before = open();
        beginWith("b", 0, item)
                .then()
                .statusCode(423)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://suite.dev/problems/lock-timeout"))
                .body("blockedBy[0].transaction", equalTo(a.id()))
                .body("blockedBy[0].owner", equalTo("posting-1"));
        beginWith("b", 200, item).then().statusCode(423);
        assertEquals(before, open(), "a refused begin must not leave a transaction behind");
        api.locks(space).then().body("locks", hasSize(1)).body("waits", empty());
        api.end(a).then().statusCode(204);
    }

    @Test
    void aWaitingBeginIsGrantedWhenTheHolderEnds() throws Exception {
        String space = Unique.name("Stock");
        String item = Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}");
        Response first = beginWith("a", 0, item);
        long firstToken = first.then()
                .statusCode(201)
                .extract()
                .<Number>path("fencingToken")
                .longValue();
        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> beginWith("b", 60000, item));
        await().until(() -> api.locks(space).path("waits.owner"), hasItem("b"));
        api.end(tx(first)).then().statusCode(204);
        Response granted = waiting.get();
        granted.then().statusCode(201).body("id", notNullValue());
        assertTrue(granted.<Number>path("fencingToken").longValue() > firstToken);
        api.locks(space).then().body("locks.owner", equalTo(List.of("b")));
        api.end(tx(granted)).then().statusCode(204);
    }

    /** The client goes away while its begin waits: the wait and the transaction it began are gone too. */
    @Test
    void aClientGoneWhileWaitingLeavesNoTransaction() throws Exception {
        String space = Unique.name("Stock");
        String item = Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}");
        Api.Tx a =
                tx(beginWith("holder", 0, item).then().statusCode(201).extract().response());
        long before = open();
        String body = "{\"owner\":\"gone\",\"timeoutMs\":60000,\"items\":[" + item + "]}";
        int port = RestAssured.port;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream()
                    .write(("POST /v1/lock-transactions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Authorization: " + Tokens.bearer() + "\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            await().until(() -> api.locks(space).path("waits.owner"), hasItem("gone"));
            assertEquals(before + 1, open());
        } // closed while waiting
        await().until(() -> api.locks(space).<List<?>>path("waits").isEmpty() && open() == before);
        api.locks(space).then().body("locks.owner", equalTo(List.of("holder")));
        api.end(a).then().statusCode(204);
    }

    @Test
    void badBeginsWithItemsAre400AndBeginNothing() {
        long before = open();
        for (String body : List.of(
                "{\"timeoutMs\":100}",
                "{\"items\":[]}",
                "{\"items\":[{\"space\":\"S\",\"mode\":\"UPDATE\"}]}",
                "{\"timeoutMs\":-1,\"items\":[{\"space\":\"S\"}]}",
                "{\"leaseMs\":5,\"items\":[{\"space\":\"S\"}]}")) {
            given().contentType("application/json")
                    .body(body)
                    .post("/v1/lock-transactions")
                    .then()
                    .statusCode(400)
                    .contentType(containsString("application/problem+json"));
        }
        assertEquals(before, open());
    }
}
