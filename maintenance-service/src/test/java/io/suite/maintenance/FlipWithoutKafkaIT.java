package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.KafkaBroker;
import io.suite.testing.ServiceProcess;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka gone (a broker of this test, killed): a flip to read-only still commits in the database,
 * and since no write path can be told, DRAINED comes only through the fence (here the lease: the
 * path's service has no database); once Kafka is back the state topic carries the epoch again.
 */
class FlipWithoutKafkaIT {

    @Test
    void aFlipWithKafkaGoneCommitsAndIsDrainedOnlyOnceThePathIsFenced() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            Suite suite = new Suite();
            Map<String, String> config = suite.maintenance();
            config.put("kafka.bootstrap.servers", broker.bootstrapServers());
            config.put("maintenance.lost-after", "2s");
            try (ServiceProcess m = ServiceProcess.start("maintenance-service", config)) {
                String url = m.url() + "/v1/maintenance";
                long rw = Http.post(url + "/read-write", "{\"force\":true}")
                        .json()
                        .get("epoch")
                        .asLong();
                try (KafkaProducer<String, String> producer = producer(broker)) {
                    producer.send(new ProducerRecord<>(
                                    suite.statusTopic,
                                    "w-1",
                                    Http.JSON.writeValueAsString(Map.of(
                                            "instance",
                                            "w-1",
                                            "service",
                                            "lock-like",
                                            "epoch",
                                            rw,
                                            "inFlight",
                                            1,
                                            "drained",
                                            false,
                                            "at",
                                            Instant.now().toString(),
                                            "stateMaxAgeMs",
                                            1000,
                                            "aborted",
                                            0))))
                            .get(10, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> Http.get(url).body().contains("\"w-1\""));

                broker.kill();
                Http.Answer ro = Http.post(url + "/read-only", "{\"reason\":\"kafka gone\",\"drainTimeoutMs\":600000}");
                assertEquals(202, ro.status(), ro.body());
                long epoch = ro.json().get("epoch").asLong();
                assertEquals(
                        "READ_ONLY",
                        Http.get(url + "/history?limit=1")
                                .json()
                                .get(0)
                                .get("mode")
                                .asText());

                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            JsonNode s = Http.get(url).json();
                            boolean fenced = s.get("fenced").toString().contains("\"w-1\"");
                            assertFalse(
                                    !fenced && "DRAINED".equals(s.get("phase").asText()), "DRAINED unfenced: " + s);
                            return fenced
                                    && "DRAINED".equals(s.get("phase").asText())
                                    && s.get("epoch").asLong() == epoch;
                        });

                // Kafka back: the confirmations carry the read-only epoch to the write paths.
                broker.restart();
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                    List<JsonNode> states = states(broker, suite.stateTopic);
                    JsonNode last = states.get(states.size() - 1);
                    assertEquals(epoch, last.get("epoch").asLong(), last.toString());
                    assertEquals("READ_ONLY", last.get("mode").asText());
                    assertTrue(last.hasNonNull("confirmedAt"), last.toString());
                });
            }
        }
    }

    private static KafkaProducer<String, String> producer(KafkaBroker broker) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static List<JsonNode> states(KafkaBroker broker, String topic) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("allow.auto.create.topics", "false");
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(Http.JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }
}
