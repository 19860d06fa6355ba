package io.suite.posting.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.suite.posting.Api;
import io.suite.testing.KafkaBroker;
import io.suite.testing.Unique;

import static io.suite.posting.Api.create;
import static io.suite.posting.Api.doc;
import static io.suite.posting.Api.line;
import static io.suite.posting.Api.receipt;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * document-events go to a broker of their own, which the test crashes and brings back: documents
 * posted meanwhile are accepted, their events wait in the outbox and all arrive afterwards.
 * (The write guard keeps the suite's broker: it must know the maintenance state to allow writes.)
 */
@QuarkusTest
@TestProfile(OutboxWhileKafkaIsDownTest.OwnBroker.class)
class OutboxWhileKafkaIsDownTest {

    public static class OwnBroker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            // parallel: the broker starts while PostingTestResources starts lock-service
            return List.of(new TestResourceEntry(EventsBroker.class, Map.of(), true));
        }
    }

    public static class EventsBroker implements QuarkusTestResourceLifecycleManager {
        static volatile KafkaBroker broker;

        @Override
        public Map<String, String> start() {
            broker = KafkaBroker.start();
            // give up on a send within seconds (not the default 2 minutes), so the test sees failed rounds
            return Map.of(
                    "mp.messaging.outgoing.document-events.bootstrap.servers",
                    broker.bootstrapServers(),
                    "mp.messaging.outgoing.document-events.delivery.timeout.ms",
                    "3000",
                    "mp.messaging.outgoing.document-events.request.timeout.ms",
                    "1000",
                    "mp.messaging.outgoing.document-events.max.block.ms",
                    "2000");
        }

        @Override
        public void stop() {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Inject
    MeterRegistry registry;

    @Test
    void eventsOfDocumentsPostedWhileKafkaIsDownArriveWhenItIsBack() throws Exception {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String before = receipt(item, wh, 5);
        await().atMost(Duration.ofSeconds(60)).until(() -> unsent(before) == 0);

        EventsBroker.broker.kill();
        double failuresBefore = failures();
        String during1 = receipt(item, wh, 1);
        String during2 = create(doc("SHIPMENT", true, line(item, wh, 2)))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        // the relay tries, fails, and keeps the events
        await().atMost(Duration.ofSeconds(60)).until(() -> failures() > failuresBefore);
        assertEquals(1L, unsent(during1));
        assertEquals(1L, unsent(during2));

        EventsBroker.broker.restart();
        await().atMost(Duration.ofSeconds(90)).until(() -> unsent(during1) + unsent(during2) == 0);
        Set<String> keys = new HashSet<>(consume(List.of(before, during1, during2)));
        assertEquals(Set.of(before, during1, during2), keys);
    }

    private double failures() {
        return registry.get("posting.outbox.send.failures").counter().count();
    }

    /** Keys of this test's documents on document-events, read from the beginning. */
    private static List<String> consume(List<String> wanted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EventsBroker.broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, Unique.name("posting-test"));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(ConfigProvider.getConfig().getValue("posting.events-topic", String.class)));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.contains(r.key())) {
                        keys.add(r.key());
                    }
                }
                return new HashSet<>(keys).containsAll(wanted);
            });
        }
        return keys;
    }

    private static long unsent(String key) throws Exception {
        return Api.outboxRows(key, true);
    }
}
