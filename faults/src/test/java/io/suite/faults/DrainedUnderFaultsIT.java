package io.suite.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Http;

/**
 * "DRAINED is a promise, kept under faults" (DESIGN.md), against real processes: from the moment
 * GET /v1/maintenance first shows DRAINED for an epoch until the next epoch, nothing commits in
 * posting's database and no new EXCLUSIVE lock is granted, whatever fails. Each case records its
 * history (every posting with its answer, every phase seen) and checks the database itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainedUnderFaultsIT {
    private static final String WAREHOUSE = "W1";
    static FaultySuite suite;
    static final PostingDatabase db = new PostingDatabase();

    Ledger ledger;
    Maintenance maintenance;
    List<String> items;

    @BeforeAll
    static void start() {
        suite = new FaultySuite();
    }

    @AfterAll
    static void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    @BeforeEach
    void stock() {
        ledger = new Ledger();
        maintenance = new Maintenance(suite.maintenanceUrl(), ledger);
        items = List.of(ledger.prefix + "-a", ledger.prefix + "-b", ledger.prefix + "-c");
        for (String item : items) {
            assertEquals(201, ledger.post(suite.postingA.url(), "RECEIPT", item, WAREHOUSE, 1000).status(), ledger.describe());
        }
    }

    @AfterEach
    void check() {
        // Whatever happened, the suite is writable again and nothing accepted was lost, doubled or oversold.
        suite.broker.resume();
        suite.postingB.resume();
        if (!"READ_WRITE".equals(maintenance.state().get("mode").asText())) {
            maintenance.readWrite("fault case over");
        }
        db.assertNothingLostOrDoubled(ledger);
        db.assertNoOversell(ledger.prefix);
        assertTrue(ledger.unexpected().isEmpty(), "unexpected answers: " + ledger.unexpected());
    }

    @Test
    @Order(1)
    void kafkaPausedAtTheFlip() throws Exception {
        try (Ledger.Load load = ledger.new Load(List.of(suite.postingA.url(), suite.postingB.url()), items, WAREHOUSE, 4)) {
            awaitAccepted(10);
            suite.broker.pause();
            ledger.event("broker paused");
            Http.Answer flip = maintenance.readOnly("kafka paused", 2000);
            if (flip.status() == 503) {
                // The other kept promise: a flip that cannot take effect is refused and changes nothing.
                assertEquals("READ_WRITE", maintenance.state().get("mode").asText());
                return;
            }
            assertEquals(202, flip.status(), flip.body());
            long epoch = flip.json().get("epoch").asLong();
            maintenance.awaitDrained(epoch);
            PostingDatabase.Fingerprint atDrained = db.fingerprint(ledger.prefix);
            int answered = load.answers.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.answers.get() > answered + 20);
            suite.broker.resume();
            ledger.event("broker resumed");
            maintenance.awaitEveryPathHeard(epoch, 3);
            int later = load.answers.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.answers.get() > later + 20);
            assertEquals(atDrained, db.fingerprint(ledger.prefix), "committed after DRAINED\n" + ledger.describe());
            maintenance.readWrite("kafka back");
            awaitAccepted(ledger.accepted() + 5);
        }
    }

    @Test
    @Order(2)
    void aWriteWaitingOnARowLockAtTheFlipNeverCommitsAfterDrained() throws Exception {
        String item = items.get(0);
        try (PostingDatabase.RowLock row = db.holdStockRow(item, WAREHOUSE)) {
            CompletableFuture<Ledger.Posting> shipment = shipmentWaitingFor(row, suite.postingA.url(), item);
            long epoch = maintenance.readOnlyEpoch("row lock held", 1500);
            maintenance.awaitDrained(epoch);
            PostingDatabase.Fingerprint atDrained = db.fingerprint(ledger.prefix);
            row.close();
            ledger.event("row released");
            Ledger.Posting answer = shipment.get(90, java.util.concurrent.TimeUnit.SECONDS);
            assertNotEquals(201, answer.status(), "the shipment was answered as posted after DRAINED: " + answer);
            assertTrue(!row.hasWaiter(), "nobody waits any more");
            assertEquals(atDrained, db.fingerprint(ledger.prefix), "committed after DRAINED\n" + ledger.describe());
            maintenance.readWrite("row lock case over");
        }
        awaitAcceptedOn(suite.postingA.url(), item);
    }

    @Test
    @Order(3)
    void aFrozenReplicaWithAWriteInFlightIsFencedBeforeDrained() throws Exception {
        String item = items.get(1);
        try (PostingDatabase.RowLock row = db.holdStockRow(item, WAREHOUSE)) {
            CompletableFuture<Ledger.Posting> shipment = shipmentWaitingFor(row, suite.postingB.url(), item);
            suite.postingB.pause();
            ledger.event("posting B paused with a write waiting in PostgreSQL");
            long epoch = maintenance.readOnlyEpoch("replica frozen", 1500);
            JsonNode drained = maintenance.awaitDrained(epoch);
            assertTrue(drained.path("fenced").size() > 0, "the frozen replica is listed as fenced: " + drained);
            PostingDatabase.Fingerprint atDrained = db.fingerprint(ledger.prefix);
            row.close();
            ledger.event("row released");
            suite.postingB.resume();
            ledger.event("posting B resumed");
            Ledger.Posting late = ledger.post(suite.postingB.url(), "RECEIPT", item, WAREHOUSE, 1);
            assertNotEquals(201, late.status(), "a thawed replica wrote after DRAINED: " + late);
            shipment.get(90, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(atDrained, db.fingerprint(ledger.prefix), "committed after DRAINED\n" + ledger.describe());
            maintenance.readWrite("frozen replica case over");
        }
        awaitAcceptedOn(suite.postingB.url(), item);
    }

    @Test
    @Order(4)
    void aLockTransactionBegunBeforeTheFlipGetsNoExclusiveLockAfterDrained() {
        Http.Answer begun = Http.post(suite.lock.url() + "/v1/lock-transactions", "{\"owner\":\"faults\"}");
        assertEquals(201, begun.status(), begun.body());
        String id = begun.json().get("id").asText(), token = begun.json().get("token").asText();
        long epoch = maintenance.readOnlyEpoch("exclusive after drained", 1500);
        maintenance.awaitDrained(epoch);
        Http.Answer lock = Http.post(suite.lock.url() + "/v1/lock-transactions/" + id + "/locks",
                "{\"timeoutMs\":0,\"items\":[{\"space\":\"" + ledger.prefix + "\",\"mode\":\"EXCLUSIVE\"}]}",
                Map.of("X-Lock-Token", token), Duration.ofSeconds(30));
        assertEquals(503, lock.status(), lock.body());
        assertEquals("read-only", lock.problem());
        maintenance.readWrite("lock case over");
    }

    /** A shipment of {@code item} posted to {@code replica}, once it waits in PostgreSQL for the held row. */
    private CompletableFuture<Ledger.Posting> shipmentWaitingFor(PostingDatabase.RowLock row, String replica, String item) {
        CompletableFuture<Ledger.Posting> shipment = CompletableFuture
                .supplyAsync(() -> ledger.post(replica, "SHIPMENT", item, WAREHOUSE, 1));
        await().atMost(Duration.ofSeconds(30)).until(row::hasWaiter);
        return shipment;
    }

    private void awaitAccepted(long count) {
        await().atMost(Duration.ofSeconds(90)).until(() -> ledger.accepted() >= count || !ledger.unexpected().isEmpty());
        assertTrue(ledger.unexpected().isEmpty(), "unexpected answers: " + ledger.unexpected());
    }

    /** Writes go through again on that replica once read-write is back (the fence is lifted). */
    private void awaitAcceptedOn(String replica, String item) {
        await().atMost(Duration.ofSeconds(90)).until(() -> ledger.post(replica, "RECEIPT", item, WAREHOUSE, 1).accepted());
    }
}
