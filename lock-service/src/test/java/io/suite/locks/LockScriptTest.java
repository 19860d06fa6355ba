package io.suite.locks;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.suite.testing.Unique;
import io.suite.writeguard.Refusal;
import io.vertx.mutiny.redis.client.Response;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * locks.lua called through its codec ({@link LockScript}) as replicas call it, with the write window
 * and maintenance state each replica sends (a frozen replica's stale writableUntil, a replica that
 * has not heard of the flip), under a key prefix of its own.
 */
@QuarkusTest
class LockScriptTest {
    @Inject
    LockStore store;

    @Inject
    LockMetrics metrics;

    private final String prefix = Unique.name("lockscript") + ":";

    /** A replica as the script sees it: its write window and the maintenance state it follows. */
    private record Replica(String window, String state) {}

    private static final Replica WRITABLE = new Replica(String.valueOf(System.currentTimeMillis() + 3_600_000), "1:W");
    /** Thinks it may write, but its lease ended an hour ago (frozen, then woke up). */
    private static final Replica FROZEN = new Replica(String.valueOf(System.currentTimeMillis() - 3_600_000), "1:W");

    private static final Replica READ_ONLY = new Replica("", "2:R");

    private LockScript as(Replica r) {
        return as(r, System.currentTimeMillis() + 60_000);
    }

    private LockScript as(Replica r, long deadline) {
        return new LockScript(store, metrics, prefix, () -> new LockScript.Header(r.window(), r.state(), deadline));
    }

    private String begin(Replica r) {
        String tx = UUID.randomUUID().toString();
        as(r).begin(tx, "d", "principal", "owner", "label", 600000).await().indefinitely();
        return tx;
    }

    private static LockScript.LockCall call(String req, boolean wait, List<LockItem> items) {
        return new LockScript.LockCall(req, wait, false, 60000, 1000, 64, 2000, items);
    }

    private static List<LockItem> whole(String space, String mode) {
        return List.of(new LockItem(space, Mode.ofLetter(mode), new TreeMap<>(), "{}"));
    }

    /** A lock request of one whole-space item, answered as "granted", "waiting", "stale", "readonly", ... */
    private String lock(Replica r, String tx, String req, boolean wait, String space, String mode) {
        return outcome(
                as(r).lock(tx, "d", call(req, wait, whole(space, mode))).await().indefinitely());
    }

    private String lock(Replica r, String tx, String space, String mode) {
        return lock(r, tx, UUID.randomUUID().toString(), false, space, mode);
    }

    /** A re-check of a waiting request by the replica holding its caller (no items). */
    private String recheck(Replica r, String tx, String req) {
        return outcome(as(r).lock(tx, "d", call(req, true, List.of())).await().indefinitely());
    }

    private static String outcome(LockScript.LockAnswer a) {
        if (a instanceof LockScript.Refused r && r.problem() instanceof ReadOnlyRefusal ro) {
            return ro.stale ? "stale" : "readonly";
        }
        return a.getClass().getSimpleName().toLowerCase();
    }

    private String get(String key) {
        Response r = store.command("GET", prefix + key).await().indefinitely();
        return r == null ? null : r.toString();
    }

    private boolean waiting(String req) {
        return store.command("HEXISTS", prefix + "waits", req)
                        .await()
                        .indefinitely()
                        .toInteger()
                == 1;
    }

    static List<ReadOnlyCases.Case> readOnlyCases() {
        return ReadOnlyCases.ALL;
    }

    /** The same table as ExclusiveLockRuleTest (ReadOnlyRule.admitExclusiveLock), decided by the script. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("readOnlyCases")
    void redisAgreesWithTheReadOnlyTable(ReadOnlyCases.Case c) {
        String tx = begin(WRITABLE);
        if (c.holdsExclusive()) {
            assertEquals("granted", lock(WRITABLE, tx, "Held", "X"));
        }
        if (c.storeKnowsReadOnly()) {
            as(READ_ONLY).stats().await().indefinitely(); // a replica that saw epoch 2 READ_ONLY told Redis
        }
        Replica granting = switch (c.window()) {
            case OPEN -> WRITABLE;
            case ENDED -> FROZEN;
            case NONE -> new Replica("", "1:W");
        };
        String expected = c.refused() == null ? "granted" : c.refused() == Refusal.STATE_STALE ? "stale" : "readonly";
        assertEquals(expected, lock(granting, tx, "Asked", "X"), c.name());
    }

    @Test
    void aReplicaPastItsLeaseCannotGrantExclusive() {
        String tx = begin(FROZEN);
        assertEquals("stale", lock(FROZEN, tx, "S1", "X"));
        assertEquals("granted", lock(FROZEN, tx, "S1", "S")); // SHARED stays allowed
        assertEquals("granted", lock(WRITABLE, tx, "S1", "X"));
        // a transaction holding an EXCLUSIVE item is a write in flight: it may lock more
        assertEquals("granted", lock(FROZEN, tx, "S2", "X"));
        assertEquals("granted", lock(READ_ONLY, tx, "S3", "X"));
    }

    @Test
    void readOnlyGrantsExclusiveOnlyToHoldersOfExclusive() {
        String holder = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, holder, "S1", "X"));
        String sharedOnly = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, sharedOnly, "S2", "S"));
        String empty = begin(WRITABLE);

        assertEquals("readonly", lock(READ_ONLY, empty, "S3", "X"));
        assertEquals("readonly", lock(READ_ONLY, sharedOnly, "S2", "X")); // no upgrade either
        assertEquals("granted", lock(READ_ONLY, holder, "S3", "X"));
        // the writes in flight, over all replicas: the transactions holding EXCLUSIVE items
        assertEquals(1, as(READ_ONLY).stats().await().indefinitely().exclusiveTransactions());
    }

    /** A waiter is granted inside another caller's script (here: an end); that caller's rule applies. */
    @Test
    void aReleaseByARefusingReplicaGrantsNoExclusiveToAWaiter() {
        String holder = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, holder, "S1", "X"));
        String waiter = begin(WRITABLE);
        String req = UUID.randomUUID().toString();
        assertEquals("waiting", lock(WRITABLE, waiter, req, true, "S1", "X"));

        as(READ_ONLY).end(holder, "d").await().indefinitely();
        assertNull(get("res:" + req), "granted by a replica that refuses writes");
        assertTrue(waiting(req));
        // its own replica's next re-check answers the refusal and drops the wait
        assertEquals("readonly", recheck(READ_ONLY, waiter, req));
        assertFalse(waiting(req));
        as(READ_ONLY).end(waiter, "d").await().indefinitely();
    }

    /** A replica that has not heard of the flip yet is held by what another replica told Redis. */
    @Test
    void theFirstReplicaToSeeAFlipClosesItForAll() {
        String tx = begin(WRITABLE);
        as(READ_ONLY)
                .stats()
                .await()
                .indefinitely(); // a replica that saw epoch 2 READ_ONLY (its housekeeping runs every second)
        LockScript.LockAnswer refused = as(WRITABLE)
                .lock(tx, "d", call(UUID.randomUUID().toString(), false, whole("S1", "X")))
                .await()
                .indefinitely();
        ReadOnlyRefusal why = (ReadOnlyRefusal) ((LockScript.Refused) refused).problem();
        assertFalse(why.stale);
        assertEquals(2L, why.epoch);
        Replica backToReadWrite = new Replica(WRITABLE.window(), "3:W");
        assertEquals("granted", lock(backToReadWrite, tx, "S1", "X"));
        assertEquals("3:W", get("mstate"));
        as(READ_ONLY).stats().await().indefinitely(); // an older epoch changes nothing
        assertEquals("3:W", get("mstate"));
    }

    /** A begin or lock that reaches Redis after its replica answered 503 (Redis was paused) does nothing. */
    @Test
    void aCallPastItsDeadlineDoesNothing() {
        String tx = UUID.randomUUID().toString();
        long past = System.currentTimeMillis() - 1000;
        HttpProblem late = assertThrows(
                HttpProblem.class,
                () -> as(WRITABLE, past)
                        .begin(tx, "d", "principal", "owner", "label", 600000)
                        .await()
                        .indefinitely());
        assertEquals(503, late.getStatusCode());
        assertEquals(
                0,
                store.command("EXISTS", prefix + "tx:" + tx)
                        .await()
                        .indefinitely()
                        .toInteger());
        String known = begin(WRITABLE);
        LockScript.LockAnswer lateLock = as(WRITABLE, past)
                .lock(known, "d", call("r", false, whole("S1", "X")))
                .await()
                .indefinitely();
        assertEquals(
                503,
                assertInstanceOf(HttpProblem.class, ((LockScript.Refused) lateLock).problem())
                        .getStatusCode());
        assertEquals(
                0,
                store.command("EXISTS", prefix + "txi:" + known)
                        .await()
                        .indefinitely()
                        .toInteger());
    }

    /**
     * A begin answered 503 whose script ran anyway (Redis stalled just after it): its replica withdraws the id,
     * which ends the transaction and frees what it held for the next in line.
     */
    @Test
    void aWithdrawnBeginThatRanEndsItsTransaction() {
        String tx = UUID.randomUUID().toString();
        LockScript.LockAnswer begun = as(WRITABLE)
                .beginAndLock(tx, "d", "principal", "owner", "label", 600000, call("w1", false, whole("W1", "X")))
                .await()
                .indefinitely();
        assertEquals("granted", outcome(((LockScript.Begun) begun).answer()));
        String next = begin(WRITABLE);
        String req = UUID.randomUUID().toString();
        assertEquals("waiting", lock(WRITABLE, next, req, true, "W1", "X"));

        List<LockScript.HeldSince> held =
                as(WRITABLE).withdraw(tx, "d", Duration.ofSeconds(5)).await().indefinitely();

        assertEquals(
                List.of("W1"), held.stream().map(LockScript.HeldSince::space).toList());
        assertEquals(0, exists("tx:" + tx) + exists("txi:" + tx));
        assertTrue(get("res:" + req) != null, "the waiter behind it was granted");
    }

    /**
     * The withdrawal overtook its begin (they went on two connections) or the begin never reached Redis: nothing
     * is ended, no incident is written, and the begin, should it still arrive before its deadline, does nothing.
     */
    @Test
    void aWithdrawnBeginThatHadNotRunNeverBegins() {
        String tx = UUID.randomUUID().toString();
        String version = get("version");
        long incidents =
                store.command("XLEN", prefix + "ilog").await().indefinitely().toLong();

        assertEquals(
                List.of(),
                as(WRITABLE).withdraw(tx, "d", Duration.ofSeconds(5)).await().indefinitely());

        assertEquals(version, get("version"), "nothing was ended or granted");
        assertEquals(
                incidents,
                store.command("XLEN", prefix + "ilog").await().indefinitely().toLong());
        long mark = store.command("PTTL", prefix + "gone:" + tx)
                .await()
                .indefinitely()
                .toLong();
        assertTrue(mark > 0 && mark <= 60_000, "kept from beginning until the withdrawal's deadline: " + mark);
        HttpProblem late = assertThrows(
                HttpProblem.class,
                () -> as(WRITABLE)
                        .begin(tx, "d", "principal", "owner", "label", 600000)
                        .await()
                        .indefinitely());
        assertEquals(503, late.getStatusCode());
        assertEquals(0, exists("tx:" + tx));
    }

    private int exists(String key) {
        return store.command("EXISTS", prefix + key).await().indefinitely().toInteger();
    }

    /** Begun with items and waiting: the waiter lease until the answer goes out, then the lease asked for. */
    @Test
    void aWaitingBeginHasTheWaiterLeaseUntilDelivered() {
        String holder = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, holder, "S1", "X"));
        String tx = UUID.randomUUID().toString();
        String req = UUID.randomUUID().toString();
        LockScript.LockAnswer begun = as(WRITABLE)
                .beginAndLock(tx, "d", "principal", "owner", "label", 600000, call(req, true, whole("S1", "X")))
                .await()
                .indefinitely();
        assertEquals("waiting", outcome(((LockScript.Begun) begun).answer()));
        assertEquals(
                "2000",
                store.command("HGET", prefix + "tx:" + tx, "pl")
                        .await()
                        .indefinitely()
                        .toString());

        as(WRITABLE).end(holder, "d").await().indefinitely(); // grants the waiter in its release pass
        assertTrue(get("res:" + req) != null);
        assertTrue(
                store.command("HEXISTS", prefix + "tx:" + tx, "pl")
                                .await()
                                .indefinitely()
                                .toInteger()
                        == 1,
                "still the waiter lease: nobody has answered its caller");
        long delivered = as(WRITABLE).delivered(tx, "d", req).await().indefinitely();
        assertEquals(
                0,
                store.command("HEXISTS", prefix + "tx:" + tx, "pl")
                        .await()
                        .indefinitely()
                        .toInteger());
        long created = store.command("HGET", prefix + "tx:" + tx, "created")
                .await()
                .indefinitely()
                .toLong();
        assertTrue(delivered >= created + 600000, "the lease asked for, from the answer on");
    }

    @Inject
    Incidents incidents;

    @Inject
    io.vertx.mutiny.core.Vertx vertx;

    /**
     * #23: a periodic re-check asks Redis only about a request that has not asked for an interval: the waits
     * that pub/sub ends within it (most waits on a hot item) cost no script call of their own.
     */
    @Test
    void aPeriodicRecheckSkipsARequestThatAskedRedisWithinTheInterval() {
        String holder = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, holder, "S3", "X"));
        assertEquals(0, rechecksOf(Duration.ofMinutes(1)), "asked Redis a moment ago: not re-checked");
        assertEquals(1, rechecksOf(Duration.ZERO), "asked an interval ago: re-checked");
    }

    /** Script calls of one periodic tick for a request waiting on S3, on a replica re-checking every {@code interval}. */
    private int rechecksOf(Duration interval) {
        List<String> rechecks = new CopyOnWriteArrayList<>();
        LockScript counting =
                new LockScript(
                        store,
                        metrics,
                        prefix,
                        () -> new LockScript.Header(
                                WRITABLE.window(), WRITABLE.state(), System.currentTimeMillis() + 60_000)) {
                    @Override
                    Uni<LockAnswer> lock(String tx, String digest, LockCall call) {
                        if (call.items().isEmpty() && !call.last()) {
                            rechecks.add(call.req());
                        }
                        return super.lock(tx, digest, call);
                    }
                };
        Waiter.Context context =
                new Waiter.Context(counting, metrics, vertx, incidents, new ConcurrentHashMap<>(), interval);
        String tx = begin(WRITABLE);
        LockScript.LockCall request = call(UUID.randomUUID().toString(), true, whole("S3", "X"));
        // the first call answered before the waiter starts, which then handles it at once: no call in flight
        LockScript.LockAnswer first = counting.lock(tx, "d", request).await().indefinitely();
        assertEquals("waiting", outcome(first));
        Waiter waiter = new Waiter(context, tx, "d", request, Set.of("S3"), false);
        UniAssertSubscriber<LockService.Granted> caller = waiter.start(
                        () -> Uni.createFrom().item(first))
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create());

        waiter.recheck(false); // a periodic tick
        int made = rechecks.size();
        waiter.recheck(true); // the last re-check ends the wait (423): nothing is left waiting
        await().until(() -> caller.getFailure() != null);
        return made;
    }
}
