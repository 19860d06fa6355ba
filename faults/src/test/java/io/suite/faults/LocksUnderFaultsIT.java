package io.suite.faults;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Managed locks while Redis or a lock-service replica fails, against the real processes: clients take
 * and release locks through lock-service's REST API on both replicas, and the checker reads their history
 * (FaultCase): no two conflicting grants held at once, fencing tokens growing per item across the loss of
 * Redis, no EXCLUSIVE grant while DRAINED, only answers a client may get. And nothing stays held once the
 * clients are gone, long before the leases they asked for (60 s) would end it: not even a transaction whose
 * begin Redis ran but whose answer never reached lock-service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocksUnderFaultsIT extends FaultCase {

    @Test
    @Order(1)
    void redisStalledThenPausedWhileLocksAreHeldAndWaitedFor() throws Exception {
        try (LockClients locks = new LockClients(ledger, lockReplicas(), items, WAREHOUSE, 4)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.granted.get() >= 20);
            // Redis runs what it gets but its answers are lost (it stalled right after running them): begins it
            // granted are answered 503, so only Redis knows their transactions, and lock-service must end them
            suite.redis.holdAnswers();
            ledger.event("Redis' answers held back");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ledger.locks.refusedWith("lock-service-unavailable") >= 4);
            // then frozen too: calls reaching it after their replica answered 503 must do nothing
            suite.redis.pause();
            ledger.event("Redis paused");
            long refused = ledger.locks.refusedWith("lock-service-unavailable");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ledger.locks.refusedWith("lock-service-unavailable") >= refused + 4);
            suite.redis.resume();
            ledger.event("Redis resumed, its answers let through");
            int granted = locks.granted.get();
            // nothing granted meanwhile holds an item for its lease (60 s): grants resume at once
            await().atMost(Duration.ofSeconds(30)).until(() -> locks.granted.get() > granted + 20);
        }
        awaitNothingHeld();
    }

    @Test
    @Order(2)
    void redisKilledLosesTheLocksButNoTokenRepeatsAndReadOnlyHolds() throws Exception {
        try (LockClients locks = new LockClients(ledger, lockReplicas(), items, WAREHOUSE, 4)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.granted.get() >= 20);
            suite.redis.kill();
            ledger.locks.storeLost();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ledger.locks.refusedWith("lock-service-unavailable") >= 4);
            suite.redis.restart();
            ledger.event("Redis started again, empty");
            int granted = locks.granted.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.granted.get() > granted + 20);
            // an empty Redis has heard of no read-only epoch: the replicas must tell it before DRAINED holds
            long epoch = maintenance.readOnlyEpoch("after Redis was lost", 1500);
            maintenance.awaitDrained(epoch);
            int answers = locks.answers.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.answers.get() > answers + 20);
            maintenance.readWrite("redis case over");
            int later = locks.granted.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.granted.get() > later + 10);
        }
        awaitNothingHeld();
    }

    @Test
    @Order(3)
    void aLockReplicaKilledWhileCallersHoldAndWait() throws Exception {
        try (LockClients locks = new LockClients(ledger, lockReplicas(), items, WAREHOUSE, 4)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.granted.get() >= 20);
            // callers of replica B wait for a row that a caller of A holds when B dies
            String item = items.get(0);
            LockHistory.Grant held = locks.grant(suite.lockA.url(), List.of(locks.item("EXCLUSIVE", item)), 20_000);
            assertNotNull(held, "the row is held through A");
            List<CompletableFuture<LockHistory.Grant>> waiters = List.of(1, 2).stream()
                    .map(n -> CompletableFuture.supplyAsync(
                            () -> locks.grant(suite.lockB.url(), List.of(locks.item("EXCLUSIVE", item)), 30_000)))
                    .toList();
            await().atMost(Duration.ofSeconds(30)).until(() -> waitsOn(item) >= 2);
            suite.lockB.kill();
            ledger.killed(suite.lockB.url());
            locks.release(held);
            waiters.forEach(CompletableFuture::join);
            // what B's callers were granted or waited for must not hold the row for their 60 s leases
            LockHistory.Grant after = locks.grant(suite.lockA.url(), List.of(locks.item("EXCLUSIVE", item)), 30_000);
            assertNotNull(
                    after,
                    "the row is free again well before the dead replica's callers' leases end: "
                            + ledger.locks.grants());
            locks.release(after);
            int granted = locks.granted.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.granted.get() > granted + 20);
        }
        awaitNothingHeld();
    }

    private List<String> lockReplicas() {
        return List.of(suite.lockA.url(), suite.lockB.url());
    }

    private String space() {
        return ledger.prefix + "-Stock";
    }

    /** Waiting requests on {@code item} that lock-service (through A) knows of. */
    private long waitsOn(String item) {
        JsonNode waits = Http.get(suite.lockA.url() + "/v1/locks?space=" + space())
                .json()
                .path("waits");
        long n = 0;
        for (JsonNode w : waits) {
            n += w.toString().contains(item) ? 1 : 0;
        }
        return n;
    }

    /**
     * Once every client has ended its transactions, nothing of this case is held or waited for, long before the
     * leases (60 s) would end it: also no transaction whose begin was answered 503 (lock-service ends those).
     */
    private void awaitNothingHeld() {
        JsonNode[] now = new JsonNode[1];
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        now[0] = Http.get(suite.lockA.url() + "/v1/locks?space=" + space())
                                .json();
                        return now[0].path("locks").isEmpty()
                                && now[0].path("waits").isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            fail("still held or waited for: " + now[0] + "\n" + ledger.describe(), e);
        }
    }
}
