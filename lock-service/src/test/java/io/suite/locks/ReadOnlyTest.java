package io.suite.locks;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.suite.testing.Unique;
import io.suite.writeguard.WriteGuard;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * Read-only maintenance (issues 5, 16): EXCLUSIVE locks go only to transactions that held an
 * EXCLUSIVE item at the flip (their writes are in flight and may finish); SHARED, begin, renew, end
 * stay allowed. Publishes only to this run's own state topic.
 */
@QuarkusTest
class ReadOnlyTest {
    private final Api api = Api.local();

    @Inject
    WriteGuard guard;

    private void publish(String mode, long epoch) throws Exception {
        publish(mode, epoch, null);
    }

    private void publish(String mode, long epoch, Long drainTimeoutMs) throws Exception {
        String topic = ConfigProvider.getConfig().getValue("write-guard.state-topic", String.class);
        String servers = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(
                            topic,
                            "state",
                            "{\"mode\":\"" + mode + "\",\"epoch\":" + epoch
                                    + ",\"reason\":\"lock-service test\",\"since\":\"" + Instant.now()
                                    + "\",\"requestedBy\":\"ReadOnlyTest\""
                                    + (drainTimeoutMs == null ? "" : ",\"drainTimeoutMs\":" + drainTimeoutMs) + "}"))
                    .get();
        }
    }

    /** Flips to read-only (with a drain timeout, or none), runs {@code body}, and always flips back. */
    private void whileReadOnly(Long drainTimeoutMs, ThrowingRunnable body) throws Exception {
        long epoch = guard.epoch();
        publish("READ_ONLY", epoch + 1, drainTimeoutMs);
        try {
            await().until(() -> guard.state().readOnly());
            body.run();
        } finally {
            publish("READ_WRITE", epoch + 2);
            await().until(() -> !guard.refusesWrites());
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** EXCLUSIVE lock transactions open at the flip are writes in flight: ended when the drain deadline passes. */
    @Test
    void writesInFlightAreEndedAtTheDrainDeadline() throws Exception {
        await().until(guard::stateKnown);
        String space = Unique.name("Drain");
        Api.Tx writer = api.begin("in-flight-writer");
        api.lockItem(writer, 0, Api.item(space, "EXCLUSIVE", "{\"k\":1}"))
                .then()
                .statusCode(200);
        Api.Tx reader = api.begin("in-flight-reader");
        api.lockItem(reader, 0, Api.item(space, "SHARED", "{\"k\":2}")).then().statusCode(200);
        whileReadOnly(300L, () -> {
            // the EXCLUSIVE holder is ended by Housekeeping (it runs every second) once 300 ms have passed
            await().until(() -> api.get(writer).statusCode() == 404);
            api.get(reader).then().statusCode(200).body("locks.size()", equalTo(1));
            api.locks(space).then().body("locks.owner", not(hasItem("in-flight-writer")));
        });
        api.end(reader).then().statusCode(204);
    }

    /** Issue 16: begun before the flip but holding no EXCLUSIVE item then, it is no write in flight. */
    @Test
    void exclusiveLocksAreRefusedToTransactionsThatHeldNoneAtTheFlip() throws Exception {
        await().until(guard::stateKnown);
        String space = Unique.name("ReadOnly");
        Api.Tx empty = api.begin("empty-at-the-flip");
        Api.Tx reader = api.begin("reader-at-the-flip");
        api.lockItem(reader, 0, Api.item(space, "SHARED", "{\"k\":1}")).then().statusCode(200);
        whileReadOnly(null, () -> {
            api.lockItem(empty, 0, Api.item(space, "EXCLUSIVE", "{\"k\":2}"))
                    .then()
                    .statusCode(503)
                    .contentType(containsString("application/problem+json"))
                    .body("type", equalTo("https://suite.dev/problems/read-only"));
            api.lockItem(reader, 0, Api.item(space, "EXCLUSIVE", "{\"k\":1}"))
                    .then()
                    .statusCode(503); // no upgrade
            api.get(empty).then().statusCode(200).body("locks.size()", equalTo(0));
            api.end(empty).then().statusCode(204);
            api.end(reader).then().statusCode(204);
        });
    }

    /**
     * A waiter that held nothing at the flip is not granted EXCLUSIVE when the holder it waits for
     * ends after the flip: the release happens in the holder's call, and the rule applies there too.
     */
    @Test
    void aWaiterHoldingNothingAtTheFlipIsRefusedWhenTheHolderEnds() throws Exception {
        await().until(guard::stateKnown);
        String space = Unique.name("ReadOnly");
        String row = Api.item(space, "EXCLUSIVE", "{\"k\":1}");
        Api.Tx holder = api.begin("holder");
        api.lockItem(holder, 0, row).then().statusCode(200);
        Api.Tx waiter = api.begin("waiter");
        CompletableFuture<Response> waits = api.lockAsync(waiter, "{\"timeoutMs\":120000,\"items\":[" + row + "]}");
        await().until(() -> api.locks(space).path("waits.transaction"), hasItem(waiter.id()));
        whileReadOnly(null, () -> {
            // the holder is a write in flight, counted as such by this write path
            await().until(() -> guard.inFlight() >= 1);
            api.end(holder).then().statusCode(204);
            waits.get().then().statusCode(503).body("type", equalTo("https://suite.dev/problems/read-only"));
            api.get(waiter)
                    .then()
                    .statusCode(200)
                    .body("locks.size()", equalTo(0))
                    .body("waiting", nullValue());
            api.locks(space).then().body("locks", empty()).body("waits", empty());
            await().until(() -> guard.inFlight() == 0);
            api.end(waiter).then().statusCode(204);
        });
    }

    @Test
    void exclusiveLocksAreRefusedToTransactionsBegunWhileReadOnly() throws Exception {
        await().until(guard::stateKnown);
        String space = Unique.name("ReadOnly");
        Api.Tx before = api.begin("before-the-flip");
        api.lockItem(before, 0, Api.item(space, "EXCLUSIVE", "{\"k\":1}"))
                .then()
                .statusCode(200);
        whileReadOnly(null, () -> {
            Api.Tx after = api.begin("after-the-flip");
            api.lockItem(after, 0, Api.item(space, "EXCLUSIVE", "{\"k\":2}"))
                    .then()
                    .statusCode(503)
                    .contentType(containsString("application/problem+json"))
                    .body("type", equalTo("https://suite.dev/problems/read-only"));
            api.lockItem(after, 0, Api.item(space, "SHARED", "{\"k\":2}"))
                    .then()
                    .statusCode(200);
            // begun with EXCLUSIVE items while read-only: refused, and no transaction is left behind
            given().contentType("application/json")
                    .body("{\"owner\":\"begun-read-only\",\"items\":[" + Api.item(space, "EXCLUSIVE", "{\"k\":4}")
                            + "]}")
                    .post("/v1/lock-transactions")
                    .then()
                    .statusCode(503)
                    .body("type", equalTo("https://suite.dev/problems/read-only"));
            api.locks(space).then().body("locks.owner", not(hasItem("begun-read-only")));
            api.renew(after).then().statusCode(200);
            // the transaction open at the flip is a write in flight: it may finish
            api.lockItem(before, 0, Api.item(space, "EXCLUSIVE", "{\"k\":3}"))
                    .then()
                    .statusCode(200);
            api.end(before).then().statusCode(204);
            api.end(after).then().statusCode(204);
        });
        Api.Tx later = api.begin("after-read-write");
        api.lockItem(later, 0, Api.item(space, "EXCLUSIVE", "{\"k\":2}")).then().statusCode(200);
        api.end(later);
    }
}
