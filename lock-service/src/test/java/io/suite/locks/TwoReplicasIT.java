package io.suite.locks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** Two lock-service processes on one Redis (same key prefix) behave as one lock manager. */
class TwoReplicasIT {
    private static MaintenanceStateFeed feed;
    private static ServiceProcess one;
    private static ServiceProcess two;
    private static Api a;
    private static Api b;

    @BeforeAll
    static void start() throws Exception {
        String run = Unique.name("it");
        Map<String, String> config = Map.of(
                "lock.key-prefix", "locktest-" + run + ":",
                "write-guard.state-topic", "lock-mstate-" + run,
                "write-guard.status-topic", "lock-wps-" + run);
        feed = new MaintenanceStateFeed("lock-mstate-" + run); // READ_WRITE, confirmed every second
        List<ServiceProcess> replicas = ServiceProcess.startReplicas("lock-service", config, 2);
        one = replicas.get(0);
        two = replicas.get(1);
        a = new Api(one.url());
        b = new Api(two.url());
    }

    @AfterAll
    static void stop() {
        if (one != null) {
            one.close();
        }
        if (two != null) {
            two.close();
        }
        if (feed != null) {
            feed.close();
        }
    }

    @Test
    void eachReplicaSeesTheOthersLocks() {
        String space = Unique.name("Stock");
        Api.Tx t1 = a.begin("on-one", "Receipt R-9", 30000);
        a.lockItem(t1, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}")).then().statusCode(200);
        b.locks(space).then().body("locks[0].transaction", equalTo(t1.id())).body("locks[0].owner", equalTo("on-one"));
        Api.Tx t2 = b.begin("on-two");
        b.lockItem(t2, 0, Api.item(space, "SHARED", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(423)
                .body("blockedBy[0].owner", equalTo("on-one"))
                .body("blockedBy[0].label", equalTo("Receipt R-9"));
        // the token works on either replica: the transaction lives in Redis
        b.get(t1).then().statusCode(200);
        b.end(t1).then().statusCode(204);
        a.get(t1).then().statusCode(404);
        b.end(t2);
    }

    @Test
    void aWaitOnOneReplicaIsWokenByAReleaseOnTheOther() throws Exception {
        String space = Unique.name("Stock");
        Api.Tx holder = a.begin("holder");
        a.lockItem(holder, 0, Api.item(space, "EXCLUSIVE", "{}")).then().statusCode(200);
        Api.Tx waiter = b.begin("waiter");
        CompletableFuture<Response> waits = b.lockAsync(
                waiter, "{\"timeoutMs\":120000,\"items\":[" + Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}") + "]}");
        await().until(() -> a.locks(space).path("waits.transaction"), hasItem(waiter.id()));
        a.end(holder).then().statusCode(204);
        waits.get().then().statusCode(200);
        b.end(waiter);
    }

    @Test
    void aDeadlockAcrossReplicasIsDetected() throws Exception {
        String space = Unique.name("Stock");
        String x = Api.item(space, "EXCLUSIVE", "{\"k\":\"X\"}");
        String y = Api.item(space, "EXCLUSIVE", "{\"k\":\"Y\"}");
        Api.Tx t1 = a.begin("t1");
        Api.Tx t2 = b.begin("t2");
        a.lockItem(t1, 0, x).then().statusCode(200);
        b.lockItem(t2, 0, y).then().statusCode(200);
        CompletableFuture<Response> t1Waits = a.lockAsync(t1, "{\"timeoutMs\":120000,\"items\":[" + y + "]}");
        await().until(() -> b.locks(space).path("waits.transaction"), hasItem(t1.id()));
        b.lockItem(t2, 120000, x)
                .then()
                .statusCode(409)
                .body("type", equalTo("https://suite.dev/problems/deadlock"))
                .body("cycle", equalTo(List.of(t2.id(), t1.id())));
        t1Waits.get().then().statusCode(200);
        a.end(t1);
    }
}
