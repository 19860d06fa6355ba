package io.suite.writeguard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Follows the compacted maintenance-state topic on one thread of its own, and heartbeats on the
 * status topic. Every instance reads the whole topic on every start (assign + seekToBeginning,
 * no consumer group), and the state counts as known only once it has read up to the end offsets
 * it found at start: until then the guard refuses writes.
 */
@ApplicationScoped
class StateFollower {
    private static final Logger LOG = Logger.getLogger(StateFollower.class);
    private static final Duration POLL = Duration.ofMillis(50);

    @Inject
    WriteGuard guard;
    @Inject
    WriteGuardConfig config;
    @Inject
    ObjectMapper json;

    private volatile boolean running;
    private Thread thread;
    private KafkaProducer<String, String> producer;
    private Instant lastHeartbeat = Instant.EPOCH;
    private String lastSent = "";

    void start(@Observes StartupEvent event) {
        guard.registerMetrics();
        running = true;
        thread = new Thread(this::run, "write-guard-kafka");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        producer = new KafkaProducer<>(producerProps());
        try {
            while (running) {
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps())) {
                    follow(consumer);
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warnf("write-guard: following %s failed (%s), retrying", config.stateTopic(), e.toString());
                        idle(Duration.ofSeconds(1));
                    }
                }
            }
        } finally {
            producer.close(Duration.ofSeconds(2));
        }
    }

    private void follow(KafkaConsumer<String, String> consumer) {
        List<TopicPartition> partitions = partitions(consumer);
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = Map.of();
        if (!guard.stateKnown()) {
            consumer.seekToBeginning(partitions);
            ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        }
        while (running) {
            for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                if (record.value() == null) {
                    continue; // tombstone
                }
                try {
                    MaintenanceState state = json.readValue(record.value(), MaintenanceState.class);
                    if (guard.stateKnown()) {
                        applyAndAnnounce(state);
                    } else {
                        pending = state.epoch() >= (pending == null ? -1 : pending.epoch()) ? state : pending;
                    }
                } catch (java.io.IOException e) {
                    LOG.warnf("write-guard: ignoring unreadable state at offset %d: %s", record.offset(), e.getMessage());
                }
            }
            if (!guard.stateKnown() && reachedEnd(consumer, ends)) {
                MaintenanceState learnt = pending == null ? MaintenanceState.initial() : pending;
                pending = null;
                LOG.infof("write-guard: state known: %s epoch %d (%s)", learnt.mode(), learnt.epoch(), config.stateTopic());
                applyAndAnnounce(learnt);
            }
            guard.abortOverdue(Instant.now());
            heartbeatIfDue();
        }
    }

    private MaintenanceState pending;

    private void applyAndAnnounce(MaintenanceState state) {
        if (guard.apply(state)) {
            heartbeat(); // tell maintenance-service at once, not at the next tick
        }
    }

    private boolean reachedEnd(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(5)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, String> consumer) {
        ensureTopic();
        var infos = consumer.partitionsFor(config.stateTopic(), Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("no partitions for " + config.stateTopic());
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
    }

    /** The state topic is compacted; maintenance-service creates it too, whoever comes first wins. */
    private void ensureTopic() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        try (Admin admin = Admin.create(props)) {
            if (admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(config.stateTopic())) {
                return;
            }
            NewTopic topic = new NewTopic(config.stateTopic(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + config.stateTopic(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka unreachable at " + config.bootstrapServers(), e);
        }
    }

    private void heartbeatIfDue() {
        Instant now = Instant.now();
        boolean due = Duration.between(lastHeartbeat, now).compareTo(config.heartbeatInterval()) >= 0;
        // A change of drained (last write ended) is reported at once: it is what DRAINED waits for.
        if (due || !lastSent.equals(summary())) {
            heartbeat();
        }
    }

    private String summary() {
        MaintenanceState s = guard.state();
        return s.mode() + "/" + s.epoch() + "/" + guard.drained();
    }

    void heartbeat() {
        MaintenanceState s = guard.state();
        long inFlight = guard.inFlight();
        Identity id = guard.identity();
        WritePathStatus status = new WritePathStatus(id.instance(), id.service(), s.epoch(), s.mode().name(), inFlight,
                ReadOnlyRule.drained(s, inFlight), Instant.now());
        lastHeartbeat = status.at();
        lastSent = s.mode() + "/" + s.epoch() + "/" + status.drained();
        try {
            producer.send(new ProducerRecord<>(config.statusTopic(), id.instance(), json.writeValueAsString(status)),
                    (meta, error) -> {
                        if (error != null) {
                            LOG.debugf("write-guard: heartbeat not sent: %s", error.toString());
                        }
                    });
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.debugf("write-guard: heartbeat not sent: %s", e.toString());
        }
    }

    private void idle(Duration d) {
        Instant until = Instant.now().plus(d);
        while (running && Instant.now().isBefore(until)) {
            heartbeatIfDue();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Properties consumerProps() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "write-guard-" + guard.identity().instance());
        return p;
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A heartbeat that cannot go out is dropped: the next one follows in a second.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "write-guard-status-" + guard.identity().instance());
        return p;
    }
}
