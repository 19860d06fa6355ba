package io.suite.locks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;

/**
 * Issue 16: a replica killed while a caller waits in it on a begin with items. The caller never
 * learns the transaction; when the holder lets go, nothing may stay held for the lease it asked
 * for (10 minutes here) — only for the waiter lease.
 */
class ReplicaKilledWhileWaitingIT {
    private static MaintenanceStateFeed feed;
    private static ServiceProcess one;
    private static ServiceProcess two;

    @BeforeAll
    static void start() throws Exception {
        String run = Unique.name("killed");
        Map<String, String> config = Map.of(
                "lock.key-prefix", "locktest-" + run + ":",
                "write-guard.state-topic", "lock-mstate-" + run,
                "write-guard.status-topic", "lock-wps-" + run);
        feed = new MaintenanceStateFeed("lock-mstate-" + run);
        List<ServiceProcess> replicas = ServiceProcess.startReplicas("lock-service", config, 2);
        one = replicas.get(0);
        two = replicas.get(1);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {one, two, feed}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // already gone
            }
        }
    }

    private static Response beginWith(String url, String owner, long leaseMs, long timeoutMs, String item) {
        return given().baseUri(url)
                .contentType("application/json")
                .header("Authorization", Tokens.bearer())
                .body("{\"owner\":\"" + owner + "\",\"leaseMs\":" + leaseMs + ",\"timeoutMs\":" + timeoutMs
                        + ",\"items\":[" + item + "]}")
                .post("/v1/lock-transactions");
    }

    @Test
    void aWaitInAKilledReplicaLeavesNothingHeld() {
        Api b = new Api(two.url());
        String space = Unique.name("Stock");
        String row = Api.item(space, "EXCLUSIVE", "{\"item\":\"A\",\"warehouse\":\"W1\"}");
        Api.Tx holder = b.begin("holder");
        b.lockItem(holder, 0, row).then().statusCode(200);
        CompletableFuture<Response> waits =
                CompletableFuture.supplyAsync(() -> beginWith(one.url(), "waits-in-one", 600000, 120000, row));
        await().until(() -> b.locks(space).path("waits"), hasSize(1));

        one.kill();
        b.end(holder).then().statusCode(204);

        // the waiter's transaction lapses with the waiter lease nobody renews any more
        await().atMost(Duration.ofSeconds(60)).until(() -> b.locks(space).path("locks"), empty());
        b.locks(space).then().body("waits", empty());
        beginWith(two.url(), "next", 30000, 0, row).then().statusCode(201);
        waits.handle((r, e) -> e).join(); // the caller of the killed replica got no answer
    }

    /** The same wait, its replica alive: granted when the holder ends, with the lease it asked for. */
    @Test
    void aWaitInALiveReplicaGetsItsLease() throws Exception {
        Api b = new Api(two.url());
        String space = Unique.name("Stock");
        String row = Api.item(space, "EXCLUSIVE", "{\"item\":\"A\",\"warehouse\":\"W1\"}");
        Api.Tx holder = b.begin("holder");
        b.lockItem(holder, 0, row).then().statusCode(200);
        CompletableFuture<Response> waits =
                CompletableFuture.supplyAsync(() -> beginWith(two.url(), "waits-in-two", 600000, 120000, row));
        await().until(() -> b.locks(space).path("waits"), hasSize(1));
        b.end(holder).then().statusCode(204);
        Response granted = waits.get();
        granted.then().statusCode(201);
        Api.Tx waiter = new Api.Tx(granted.path("id"), granted.path("token"));
        long expiresAt = Instant.parse(granted.path("expiresAt")).toEpochMilli();
        long now = System.currentTimeMillis();
        Assertions.assertTrue(
                expiresAt > now + 60000,
                "the lease asked for (600000 ms) from the answer on, not the waiter lease: " + (expiresAt - now));
        b.get(waiter).then().statusCode(200).body("locks", hasSize(1));
        b.end(waiter).then().statusCode(204);
    }
}
