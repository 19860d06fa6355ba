package io.suite.locks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.suite.access.KafkaCredentials;
import io.vertx.mutiny.redis.client.Response;

/**
 * Moves the incidents stream to Kafka topic {@code lock.incidents-topic} (JSON, key = space), at least
 * once: every replica reads new entries through one Redis consumer group and acknowledges an entry
 * (XACK) only after Kafka acknowledged it; entries a replica took but never acknowledged (it died,
 * or Kafka was down) are taken over by the next relay pass after {@code lock.incidents-relay-claim-after}
 * (XAUTOCLAIM). Runs on a worker thread of its own schedule, apart from the lock calls: a Kafka outage
 * only delays the topic, never a lock call.
 */
@ApplicationScoped
public class IncidentRelay {
    private static final Logger LOG = Logger.getLogger(IncidentRelay.class);
    static final String GROUP = "kafka-relay";
    private static final int BATCH = 200;

    private final LockStore store;
    private final LockScript script;
    private final LockConfig config;
    /** This replica, as a consumer of the group. */
    private final String consumer = UUID.randomUUID().toString();

    private volatile KafkaProducer<String, String> producer;
    private boolean groupReady;
    private boolean topicReady;

    IncidentRelay(LockStore store, LockScript script, LockConfig config) {
        this.store = store;
        this.script = script;
        this.config = config;
    }

    @Scheduled(every = "${lock.incidents-relay-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void relay() {
        try {
            relayOnce();
        } catch (RuntimeException | InterruptedException | ExecutionException e) {
            LOG.debugf("incident relay pass failed: %s", e.toString()); // the next pass tries again
        }
    }

    /** One pass: takes over stale entries, reads new ones, sends them, acknowledges what Kafka acknowledged. */
    synchronized int relayOnce() throws InterruptedException, ExecutionException {
        String key = script.incidentsKey();
        if (!groupReady) {
            try {
                redis("XGROUP", "CREATE", key, GROUP, "0", "MKSTREAM");
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                    throw e;
                }
            }
            groupReady = true;
        }
        Map<String, Incidents.Entry> todo = new LinkedHashMap<>();
        Response claimed = redis(
                "XAUTOCLAIM",
                key,
                GROUP,
                consumer,
                String.valueOf(config.incidentsRelayClaimAfter().toMillis()),
                "0",
                "COUNT",
                String.valueOf(BATCH));
        collect(claimed.get(1), todo);
        Response fresh =
                redis("XREADGROUP", "GROUP", GROUP, consumer, "COUNT", String.valueOf(BATCH), "STREAMS", key, ">");
        if (fresh != null) {
            for (Response stream : fresh) {
                collect(stream.get(1), todo);
            }
        }
        if (todo.isEmpty()) {
            return 0;
        }
        KafkaProducer<String, String> p = producer();
        Map<String, Future<RecordMetadata>> sent = new LinkedHashMap<>();
        for (Incidents.Entry e : todo.values()) {
            sent.put(
                    e.id(),
                    p.send(new ProducerRecord<>(
                            config.incidentsTopic(), e.space(), e.json().toString())));
        }
        List<String> acked = new ArrayList<>();
        for (Map.Entry<String, Future<RecordMetadata>> s : sent.entrySet()) {
            try {
                s.getValue().get(30, TimeUnit.SECONDS);
                acked.add(s.getKey());
            } catch (ExecutionException | TimeoutException e) {
                LOG.debugf("incident %s not on Kafka yet: %s", s.getKey(), e.toString()); // taken over later
            }
        }
        if (!acked.isEmpty()) {
            List<String> args = new ArrayList<>(List.of(key, GROUP));
            args.addAll(acked);
            redis("XACK", args.toArray(String[]::new));
        }
        return acked.size();
    }

    private static void collect(Response entries, Map<String, Incidents.Entry> into) {
        if (entries == null) {
            return;
        }
        for (Response e : entries) {
            if (e != null && e.size() > 1 && e.get(1) != null) { // a trimmed entry comes back empty
                Incidents.Entry entry = Incidents.Entry.of(e);
                into.put(entry.id(), entry);
            }
        }
    }

    private Response redis(String command, String... args) {
        return store.command(command, args).await().atMost(config.redisTimeout());
    }

    private synchronized KafkaProducer<String, String> producer() throws InterruptedException, ExecutionException {
        if (!topicReady) {
            Properties a = new Properties();
            a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.incidentsBootstrapServers());
            a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
            a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
            try (Admin admin = Admin.create(KafkaCredentials.addTo(a))) {
                admin.createTopics(List.of(new NewTopic(config.incidentsTopic(), Optional.empty(), Optional.empty())))
                        .all()
                        .get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            } catch (TimeoutException e) {
                throw new ExecutionException(e);
            }
            topicReady = true;
        }
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.incidentsBootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20000);
            producer = new KafkaProducer<>(KafkaCredentials.addTo(p));
        }
        return producer;
    }

    /** Entries of the stream taken but not yet acknowledged by Kafka (tests, and a look during an outage). */
    long pending() {
        Response r = redis("XPENDING", script.incidentsKey(), GROUP);
        return r == null || r.size() == 0 ? 0 : r.get(0).toLong();
    }

    /** Not synchronized: a pass blocked on an unreachable Kafka must not hold up the shutdown. */
    void stop(@Observes ShutdownEvent stop) {
        KafkaProducer<String, String> p = producer;
        if (p != null) {
            p.close(Duration.ZERO);
        }
    }
}
