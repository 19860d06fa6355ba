package io.suite.backup;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads this run's backup-events topic from its beginning, as a consumer of the events would. */
public final class BackupEventsConsumer implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    public BackupEventsConsumer(String topic) {
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        "127.0.0.1:9092",
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "backup-test-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls once more and answers every event value seen so far. */
    public List<String> poll() {
        consumer.poll(Duration.ofMillis(300)).forEach(record -> seen.add(record.value()));
        return seen;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
