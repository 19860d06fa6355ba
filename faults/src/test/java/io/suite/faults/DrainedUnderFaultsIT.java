package io.suite.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "DRAINED is a promise, kept under faults" (DESIGN.md), against real processes: from the moment
 * GET /v1/maintenance first shows DRAINED for an epoch until the next epoch, nothing commits in
 * posting's database and no new EXCLUSIVE lock is granted, whatever fails. Each case records its
 * history (every posting with its answer, every phase seen) and checks the database itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainedUnderFaultsIT extends FaultCase {

    @Test
    @Order(1)
    void kafkaPausedAtTheFlip() throws Exception {
        try (Ledger.Load load =
                ledger.new Load(List.of(suite.postingA.url(), suite.postingB.url()), items, WAREHOUSE, 4)) {
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
            maintenance.awaitEveryPathHeard(epoch, 4);
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
            Ledger.Posting answer = shipment.get(90, TimeUnit.SECONDS);
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
            shipment.get(90, TimeUnit.SECONDS);
            assertEquals(atDrained, db.fingerprint(ledger.prefix), "committed after DRAINED\n" + ledger.describe());
            maintenance.readWrite("frozen replica case over");
        }
        awaitAcceptedOn(suite.postingB.url(), item);
    }

    @Test
    @Order(4)
    void aLockTransactionBegunBeforeTheFlipGetsNoExclusiveLockAfterDrained() {
        Http.Answer begun = Http.post(suite.lockA.url() + "/v1/lock-transactions", "{\"owner\":\"faults\"}");
        assertEquals(201, begun.status(), begun.body());
        String id = begun.json().get("id").asText(),
                token = begun.json().get("token").asText();
        long epoch = maintenance.readOnlyEpoch("exclusive after drained", 1500);
        maintenance.awaitDrained(epoch);
        Http.Answer lock = Http.post(
                suite.lockA.url() + "/v1/lock-transactions/" + id + "/locks",
                "{\"timeoutMs\":0,\"items\":[{\"space\":\"" + ledger.prefix + "\",\"mode\":\"EXCLUSIVE\"}]}",
                Map.of("X-Lock-Token", token),
                Duration.ofSeconds(30));
        assertEquals(503, lock.status(), lock.body());
        assertEquals("read-only", lock.problem());
        maintenance.readWrite("lock case over");
    }

    @Test
    @Order(5)
    void kafkaKilledAroundAFlip() throws Exception {
        // a shipment admitted before the kill waits in PostgreSQL for a row held across the flip: its replica
        // hears of no flip (Kafka is gone) and aborts nothing, so only the fence keeps it from committing later
        String held = ledger.prefix + "-held";
        awaitAcceptedOn(suite.postingA.url(), held);
        try (Ledger.Load load = ledger.new Load(postingReplicas(), items, WAREHOUSE, 4);
                LockClients locks = new LockClients(ledger, lockReplicas(), items, WAREHOUSE, 2);
                PostingDatabase.RowLock row = db.holdStockRow(held, WAREHOUSE)) {
            awaitAccepted(10);
            CompletableFuture<Ledger.Posting> shipment = shipmentWaitingFor(row, suite.postingA.url(), held);
            suite.killBroker();
            ledger.event("broker killed");
            Http.Answer flip = maintenance.readOnly("kafka killed", 2000);
            if (flip.status() == 503) {
                assertEquals("READ_WRITE", maintenance.state().get("mode").asText());
                row.close();
                shipment.get(90, TimeUnit.SECONDS);
            } else {
                assertEquals(202, flip.status(), flip.body());
                long epoch = flip.json().get("epoch").asLong();
                JsonNode drained = maintenance.awaitDrained(epoch);
                PostingDatabase.Fingerprint atDrained = db.fingerprint(ledger.prefix);
                row.close();
                ledger.event("row released");
                Ledger.Posting answer = shipment.get(90, TimeUnit.SECONDS);
                assertNotEquals(201, answer.status(), "the shipment was answered as posted after DRAINED: " + answer);
                awaitMoreAnswers(load, locks);
                ledger.event("more answers while DRAINED");
                suite.restartBroker();
                ledger.event("broker restarted: " + drained.path("fenced"));
                maintenance.awaitEveryPathHeard(epoch, 4);
                awaitMoreAnswers(load, locks);
                assertEquals(atDrained, db.fingerprint(ledger.prefix), "committed after DRAINED\n" + ledger.describe());
                maintenance.readWrite("kafka back");
            }
            suite.healServers();
            awaitAccepted(ledger.accepted() + 5);
            int granted = locks.granted.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> locks.granted.get() > granted + 5);
        }
    }

    @Test
    @Order(6)
    void aPostingReplicaKilledMidLoadIsFencedBeforeDrained() throws Exception {
        try (Ledger.Load load = ledger.new Load(postingReplicas(), items, WAREHOUSE, 4)) {
            awaitAccepted(10);
            suite.postingB.kill();
            ledger.killed(suite.postingB.url());
            awaitAccepted(ledger.accepted() + 10);
            // B is gone without a word (no tombstone): once silent for lost-after it is "lost", not gone, and
            // DRAINED may come only once B is fenced (flipping before it is lost would fence it as not drained)
            String lost = maintenance.awaitLost("posting-service");
            long epoch = maintenance.readOnlyEpoch("replica killed", 1500);
            JsonNode drained = maintenance.awaitDrained(epoch);
            assertTrue(
                    drained.path("fenced").toString().contains("\"" + lost + "\""),
                    "the killed replica " + lost + " is listed as fenced: " + drained);
            PostingDatabase.Fingerprint atDrained = db.fingerprint(ledger.prefix);
            int answered = load.answers.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.answers.get() > answered + 20);
            assertEquals(atDrained, db.fingerprint(ledger.prefix), "committed after DRAINED\n" + ledger.describe());
            maintenance.readWrite("killed replica case over");
            awaitAccepted(ledger.accepted() + 5);
        }
    }

    @Test
    @Order(7)
    void postgresRestartedUnderLoadThenAFlip() throws Exception {
        try (Ledger.Load load = ledger.new Load(postingReplicas(), items, WAREHOUSE, 4);
                LockClients locks = new LockClients(ledger, lockReplicas(), items, WAREHOUSE, 2)) {
            awaitAccepted(10);
            suite.pg.crash();
            ledger.event("PostgreSQL crashed");
            int answered = load.answers.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.answers.get() > answered + 10);
            suite.pg.start();
            ledger.event("PostgreSQL started again");
            awaitAccepted(ledger.accepted() + 10);
            // the first flip after the restart: maintenance-service's pool lost every connection too
            long epoch = maintenance.readOnlyEpoch("after a PostgreSQL restart", 2000);
            maintenance.awaitDrained(epoch);
            PostingDatabase.Fingerprint atDrained = db.fingerprint(ledger.prefix);
            awaitMoreAnswers(load, locks);
            assertEquals(atDrained, db.fingerprint(ledger.prefix), "committed after DRAINED\n" + ledger.describe());
            maintenance.readWrite("postgres case over");
            awaitAccepted(ledger.accepted() + 5);
        }
    }

    private List<String> postingReplicas() {
        return List.of(suite.postingA.url(), suite.postingB.url());
    }

    private List<String> lockReplicas() {
        return List.of(suite.lockA.url(), suite.lockB.url());
    }

    /** Clients went on asking (and were refused) for a while. */
    private static void awaitMoreAnswers(Ledger.Load load, LockClients locks) {
        int postings = load.answers.get(), lockAnswers = locks.answers.get();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> load.answers.get() > postings + 20 && locks.answers.get() > lockAnswers + 10);
    }

    /** A shipment of {@code item} posted to {@code replica}, once it waits in PostgreSQL for the held row. */
    private CompletableFuture<Ledger.Posting> shipmentWaitingFor(
            PostingDatabase.RowLock row, String replica, String item) {
        CompletableFuture<Ledger.Posting> shipment =
                CompletableFuture.supplyAsync(() -> ledger.post(replica, "SHIPMENT", item, WAREHOUSE, 1));
        await().atMost(Duration.ofSeconds(30)).until(row::hasWaiter);
        return shipment;
    }
}
