package io.suite.faults;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One fault case on the shared {@link FaultySuite}: before it, whatever the last case froze or killed is
 * back and there is stock to ship; after it, the suite is writable again and the checker reads the case's
 * history and the database: nothing accepted lost or doubled, no oversell, only answers a client may get,
 * no two conflicting lock grants held at once, fencing tokens growing, no EXCLUSIVE grant while DRAINED.
 */
@ExtendWith(FaultySuite.Shared.class)
abstract class FaultCase {
    static final String WAREHOUSE = "W1";
    static FaultySuite suite;
    static PostingDatabase db;

    Ledger ledger;
    Maintenance maintenance;
    List<String> items;

    @BeforeAll
    static void suite(FaultySuite shared) {
        suite = shared;
        db = new PostingDatabase(shared.pg);
    }

    @BeforeEach
    void stock() {
        ledger = new Ledger();
        ledger.event("case starts");
        suite.heal();
        ledger.event("healed");
        maintenance = new Maintenance(suite.maintenanceUrl(), ledger);
        items = List.of(ledger.prefix + "-a", ledger.prefix + "-b", ledger.prefix + "-c");
        // a replica started again, or a pool whose connections a fence or a restart ended, may need a moment
        for (String item : items) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ledger.post(suite.postingA.url(), "RECEIPT", item, WAREHOUSE, 1000)
                            .accepted());
        }
        ledger.event("stock received");
    }

    @AfterEach
    void check() {
        ledger.event("case over");
        suite.healServers();
        await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> maintenance.state().get("mode") != null);
        if (!"READ_WRITE".equals(maintenance.state().get("mode").asText())) {
            maintenance.readWrite("fault case over");
        }
        ledger.event("checked read-write");
        System.out.println(ledger.describe()); // the case's timeline, for the report
        db.assertNothingLostOrDoubled(ledger);
        db.assertNoOversell(ledger.prefix);
        assertTrue(ledger.unexpected().isEmpty(), "unexpected answers: " + ledger.unexpected());
        assertTrue(ledger.locks.unexpected().isEmpty(), "unexpected lock answers: " + ledger.locks.unexpected());
        assertEquals(List.of(), ledger.locks.overlaps(), "conflicting lock grants held at once");
        assertEquals(List.of(), ledger.locks.tokensNotGrowing(), "fencing tokens");
        assertEquals(List.of(), ledger.locks.exclusiveWhileDrained(), "EXCLUSIVE grants while DRAINED");
    }

    void awaitAccepted(long count) {
        await().atMost(Duration.ofSeconds(90))
                .until(() -> ledger.accepted() >= count || !ledger.unexpected().isEmpty());
        assertTrue(ledger.unexpected().isEmpty(), "unexpected answers: " + ledger.unexpected());
    }

    /** Writes go through again on that replica once read-write is back (the fence is lifted). */
    void awaitAcceptedOn(String replica, String item) {
        await().atMost(Duration.ofSeconds(90))
                .until(() -> ledger.post(replica, "RECEIPT", item, WAREHOUSE, 1).accepted());
    }
}
