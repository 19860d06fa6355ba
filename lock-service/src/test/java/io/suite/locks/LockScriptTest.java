package io.suite.locks;

import io.quarkus.test.junit.QuarkusTest;
import io.suite.testing.Unique;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * locks.lua called as replicas call it, with the write window and maintenance state each replica
 * sends (a frozen replica's stale writableUntil, a replica that has not heard of the flip), under
 * a key prefix of its own.
 */
@QuarkusTest
class LockScriptTest {
    private static final String SCRIPT;

    static {
        try (InputStream in = LockScriptTest.class.getResourceAsStream("/locks.lua")) {
            SCRIPT = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Inject
    LockStore store;

    private final String prefix = Unique.name("lockscript") + ":";

    /** A replica as the script sees it: its write window and the maintenance state it follows. */
    private record Replica(String window, String state) {
    }

    private static final Replica WRITABLE = new Replica(String.valueOf(System.currentTimeMillis() + 3_600_000), "1:W");
    /** Thinks it may write, but its lease ended an hour ago (frozen, then woke up). */
    private static final Replica FROZEN = new Replica(String.valueOf(System.currentTimeMillis() - 3_600_000), "1:W");
    private static final Replica READ_ONLY = new Replica("", "2:R");

    private Response call(Replica r, String op, String... args) {
        return call(r, System.currentTimeMillis() + 60_000, op, args);
    }

    private Response call(Replica r, long deadline, String op, String... args) {
        List<String> argv = new ArrayList<>(List.of(SCRIPT, "0", op, prefix, r.window(), r.state(), String.valueOf(deadline)));
        argv.addAll(List.of(args));
        return store.command("EVAL", argv.toArray(String[]::new)).await().indefinitely();
    }

    private String begin(Replica r) {
        String tx = UUID.randomUUID().toString();
        assertEquals("ok", call(r, "begin", tx, "d", "owner", "label", "600000").get(0).toString());
        return tx;
    }

    /** A lock request of one whole-space item: {status, ...} as the script answers. */
    private Response lock(Replica r, String tx, String req, boolean wait, String space, String mode) {
        return call(r, "lock", tx, "d", req, wait ? "1" : "0", "0", "60000", "1000", "2000", space, mode, "{}", "*");
    }

    private Response lock(Replica r, String tx, String space, String mode) {
        return lock(r, tx, UUID.randomUUID().toString(), false, space, mode);
    }

    /** A re-check of a waiting request by the replica holding its caller (no items). */
    private Response recheck(Replica r, String tx, String req) {
        return call(r, "lock", tx, "d", req, "1", "0", "60000", "1000", "2000");
    }

    private String get(String key) {
        Response r = store.command("GET", prefix + key).await().indefinitely();
        return r == null ? null : r.toString();
    }

    private boolean waiting(String req) {
        return store.command("HEXISTS", prefix + "waits", req).await().indefinitely().toInteger() == 1;
    }

    @Test
    void aReplicaPastItsLeaseCannotGrantExclusive() {
        String tx = begin(FROZEN);
        Response refused = lock(FROZEN, tx, "S1", "X");
        assertEquals("stale", refused.get(0).toString());
        assertEquals("granted", lock(FROZEN, tx, "S1", "S").get(0).toString()); // SHARED stays allowed
        assertEquals("granted", lock(WRITABLE, tx, "S1", "X").get(0).toString());
        // a transaction holding an EXCLUSIVE item is a write in flight: it may lock more
        assertEquals("granted", lock(FROZEN, tx, "S2", "X").get(0).toString());
        assertEquals("granted", lock(READ_ONLY, tx, "S3", "X").get(0).toString());
    }

    @Test
    void readOnlyGrantsExclusiveOnlyToHoldersOfExclusive() {
        String holder = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, holder, "S1", "X").get(0).toString());
        String sharedOnly = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, sharedOnly, "S2", "S").get(0).toString());
        String empty = begin(WRITABLE);

        assertEquals("readonly", lock(READ_ONLY, empty, "S3", "X").get(0).toString());
        assertEquals("readonly", lock(READ_ONLY, sharedOnly, "S2", "X").get(0).toString()); // no upgrade either
        assertEquals("granted", lock(READ_ONLY, holder, "S3", "X").get(0).toString());
        // the writes in flight, over all replicas: the transactions holding EXCLUSIVE items
        assertEquals(1, call(READ_ONLY, "stats").get(3).toLong());
    }

    /** A waiter is granted inside another caller's script (here: an end); that caller's rule applies. */
    @Test
    void aReleaseByARefusingReplicaGrantsNoExclusiveToAWaiter() {
        String holder = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, holder, "S1", "X").get(0).toString());
        String waiter = begin(WRITABLE);
        String req = UUID.randomUUID().toString();
        assertEquals("waiting", lock(WRITABLE, waiter, req, true, "S1", "X").get(0).toString());

        assertEquals("ok", call(READ_ONLY, "end", holder, "d").get(0).toString());
        assertNull(get("res:" + req), "granted by a replica that refuses writes");
        assertTrue(waiting(req));
        // its own replica's next re-check answers the refusal and drops the wait
        assertEquals("readonly", recheck(READ_ONLY, waiter, req).get(0).toString());
        assertFalse(waiting(req));
        assertEquals("ok", call(READ_ONLY, "end", waiter, "d").get(0).toString());
    }

    /** A replica that has not heard of the flip yet is held by what another replica told Redis. */
    @Test
    void theFirstReplicaToSeeAFlipClosesItForAll() {
        String tx = begin(WRITABLE);
        call(READ_ONLY, "stats"); // a replica that saw epoch 2 READ_ONLY (its housekeeping runs every second)
        Response refused = lock(WRITABLE, tx, "S1", "X");
        assertEquals("readonly", refused.get(0).toString());
        assertEquals("2", refused.get(1).toString());
        Replica backToReadWrite = new Replica(WRITABLE.window(), "3:W");
        assertEquals("granted", lock(backToReadWrite, tx, "S1", "X").get(0).toString());
        assertEquals("3:W", get("mstate"));
        call(READ_ONLY, "stats"); // an older epoch changes nothing
        assertEquals("3:W", get("mstate"));
    }

    /** A begin or lock that reaches Redis after its replica answered 503 (Redis was paused) does nothing. */
    @Test
    void aCallPastItsDeadlineDoesNothing() {
        String tx = UUID.randomUUID().toString();
        long past = System.currentTimeMillis() - 1000;
        assertEquals("late", call(WRITABLE, past, "begin", tx, "d", "owner", "label", "600000").get(0).toString());
        assertEquals(0, store.command("EXISTS", prefix + "tx:" + tx).await().indefinitely().toInteger());
        String known = begin(WRITABLE);
        assertEquals("late", call(WRITABLE, past, "lock", known, "d", "r", "0", "0", "0", "1000", "2000", "S1", "X", "{}", "*")
                .get(0).toString());
        assertEquals(0, store.command("EXISTS", prefix + "txi:" + known).await().indefinitely().toInteger());
    }

    /** Begun with items and waiting: the waiter lease until the answer goes out, then the lease asked for. */
    @Test
    void aWaitingBeginHasTheWaiterLeaseUntilDelivered() {
        String holder = begin(WRITABLE);
        assertEquals("granted", lock(WRITABLE, holder, "S1", "X").get(0).toString());
        String tx = UUID.randomUUID().toString();
        String req = UUID.randomUUID().toString();
        Response begun = call(WRITABLE, "begin", tx, "d", "owner", "label", "600000",
                req, "1", "0", "60000", "1000", "2000", "S1", "X", "{}", "*");
        assertEquals("waiting", begun.get(2).get(0).toString());
        assertEquals("2000", store.command("HGET", prefix + "tx:" + tx, "pl").await().indefinitely().toString());

        call(WRITABLE, "end", holder, "d"); // grants the waiter in its release pass
        assertTrue(get("res:" + req) != null);
        assertTrue(store.command("HEXISTS", prefix + "tx:" + tx, "pl").await().indefinitely().toInteger() == 1,
                "still the waiter lease: nobody has answered its caller");
        Response delivered = call(WRITABLE, "delivered", tx, "d", req);
        assertEquals("ok", delivered.get(0).toString());
        assertEquals(0, store.command("HEXISTS", prefix + "tx:" + tx, "pl").await().indefinitely().toInteger());
        long created = store.command("HGET", prefix + "tx:" + tx, "created").await().indefinitely().toLong();
        assertTrue(delivered.get(1).toLong() >= created + 600000, "the lease asked for, from the answer on");
    }
}
