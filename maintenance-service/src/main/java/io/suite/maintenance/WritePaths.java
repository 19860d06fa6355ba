package io.suite.maintenance;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.suite.access.KafkaCredentials;

/**
 * The write paths as their heartbeats on {@code write-path-status} show them. Every replica of
 * this service reads all heartbeats (assign, no consumer group), starting from those of the last
 * {@code drop-after} so that a restart knows the write paths at once, the silent ones included
 * (a silent path may still hold a write in flight: it must be fenced at the next flip). A
 * tombstone (null value) is a path that stopped cleanly: it is forgotten at once.
 */
@ApplicationScoped
public class WritePaths {
    private static final Logger LOG = Logger.getLogger(WritePaths.class);

    private final MaintenanceConfig config;
    private final ObjectMapper json;
    private final KafkaTopics topics;

    WritePaths(MaintenanceConfig config, ObjectMapper json, KafkaTopics topics) {
        this.config = config;
        this.json = json;
        this.topics = topics;
    }

    private final Map<String, WritePath> paths = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;
    private volatile boolean running;
    private volatile Runnable onHeartbeat = () -> {};
    private Thread thread;

    void start(Runnable onHeartbeat) {
        this.onHeartbeat = onHeartbeat;
        running = true;
        thread = new Thread(this::run, "write-path-status");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The write paths known (heard from and not forgotten), by service and instance. */
    public List<WritePath> list() {
        List<WritePath> out = new ArrayList<>(paths.values());
        out.sort(Comparator.comparing(WritePath::service).thenComparing(WritePath::instance));
        return out;
    }

    /** Forgets the paths {@code which} selects (see {@link Maintenance} for when a silent path may go). */
    public void forget(Predicate<WritePath> which) {
        paths.values().removeIf(which);
    }

    /** False until the heartbeats of the last drop-after have been read after start. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props())) {
                follow(consumer);
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("reading %s failed (%s), retrying", config.statusTopic(), e.toString());
                    sleep(1000);
                }
            }
        }
    }

    private void follow(KafkaConsumer<String, String> consumer) {
        topics.ensure();
        List<TopicPartition> parts = consumer.partitionsFor(config.statusTopic(), Duration.ofSeconds(5)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .collect(Collectors.toList());
        consumer.assign(parts);
        Map<TopicPartition, Long> since = new HashMap<>();
        long from = Instant.now().minus(config.dropAfter()).toEpochMilli();
        parts.forEach(tp -> since.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(since, Duration.ofSeconds(5));
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts, Duration.ofSeconds(5));
        for (TopicPartition tp : parts) {
            OffsetAndTimestamp o = offsets.get(tp);
            consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
        }
        while (running) {
            boolean any = false;
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                any |= accept(r);
            }
            if (!caughtUp && parts.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                caughtUp = true;
                any = true;
            }
            if (any) {
                onHeartbeat.run();
            }
        }
    }

    private boolean accept(ConsumerRecord<String, String> r) {
        if (r.value() == null) {
            // A tombstone: the path stopped cleanly, nothing of it is in flight.
            return r.key() != null && paths.remove(r.key()) != null;
        }
        try {
            JsonNode h = json.readTree(r.value());
            String instance = h.path("instance").asText(r.key());
            // Replayed old heartbeats count from when they were sent, live ones from now.
            Instant seen = caughtUp ? Instant.now() : Instant.ofEpochMilli(r.timestamp());
            paths.put(
                    instance,
                    new WritePath(
                            instance,
                            h.path("service").asText("unknown"),
                            h.path("epoch").asLong(-1),
                            h.path("inFlight").asLong(0),
                            h.path("drained").asBoolean(false),
                            seen,
                            h.path("stateMaxAgeMs").asLong(WritePath.DEFAULT_STATE_MAX_AGE_MS),
                            h.path("aborted").asLong(0),
                            h.path("writesOnlyInDatabase").asBoolean(false)));
            return true;
        } catch (IOException e) {
            LOG.debugf("ignoring unreadable heartbeat: %s", e.getMessage());
            return false;
        }
    }

    private Properties props() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        return KafkaCredentials.addTo(p);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
