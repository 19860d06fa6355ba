package io.suite.writeguard;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.suite.access.KafkaCredentials;

/**
 * Follows the compacted maintenance-state topic on one thread of its own, and heartbeats on the
 * status topic. Every instance reads the whole topic on every start (assign + seekToBeginning,
 * no consumer group), applies the newest state found up to the end offsets it saw at start, then
 * every record as it comes. An empty topic leaves the state unknown (writes refused) until a record
 * arrives. A topic deleted or recreated under it is noticed (its topic id) and read again from the
 * beginning; epochs never go back, and meanwhile the READ_WRITE lease runs out (state-stale).
 */
@ApplicationScoped
class StateFollower {
    private static final Logger LOG = Logger.getLogger(StateFollower.class);
    private static final Duration POLL = Duration.ofMillis(50);
    /** How often the follower asks whether its topic is still the one it follows. */
    private static final Duration TOPIC_CHECK = Duration.ofSeconds(2);
    /** How long a clean stop waits for its tombstone to be acknowledged before giving up. */
    private static final Duration TOMBSTONE_WAIT = Duration.ofSeconds(2);

    private final WriteGuard guard;
    private final WriteGuardConfig config;
    private final ObjectMapper json;

    StateFollower(WriteGuard guard, WriteGuardConfig config, ObjectMapper json) {
        this.guard = guard;
        this.config = config;
        this.json = json;
    }

    private volatile boolean running;
    private volatile boolean topicRead;
    private Thread thread;
    /** Drain-timeout aborts on a thread of their own: the Kafka thread may block for seconds while Kafka is out. */
    private ScheduledExecutorService drainTimer;

    private KafkaProducer<String, String> producer;
    private Admin admin;
    // read at start: a clean stop may end after the app's beans are gone (join timed out)
    private String instance;
    private String statusTopic;
    private Instant lastHeartbeat = Instant.EPOCH;
    private String lastSent = "";

    void start(@Observes StartupEvent event) {
        guard.registerMetrics();
        instance = guard.instanceId();
        statusTopic = config.statusTopic();
        running = true;
        thread = new Thread(this::run, "write-guard-kafka");
        thread.setDaemon(true);
        thread.start();
        drainTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "write-guard-drain");
            t.setDaemon(true);
            return t;
        });
        drainTimer.scheduleWithFixedDelay(this::abortOverdue, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A clean stop: the follower thread sends this path's tombstone on its way out (bounded), then closes. */
    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (drainTimer != null) {
            drainTimer.shutdownNow();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void abortOverdue() {
        try {
            guard.abortOverdue(Instant.now());
        } catch (RuntimeException e) {
            LOG.warnf(
                    "write-guard: aborting overdue writes failed (%s); trying again",
                    e.toString()); // keep the timer alive
        }
    }

    /** True once the topic has been read up to the end it had when this instance started following it. */
    boolean topicRead() {
        return topicRead;
    }

    private void run() {
        producer = new KafkaProducer<>(producerProps());
        admin = Admin.create(adminProps());
        try {
            while (running) {
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps())) {
                    follow(consumer);
                } catch (TopicChanged e) {
                    LOG.warnf("write-guard: %s; reading it again from the beginning", e.getMessage());
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warnf("write-guard: following %s failed (%s), retrying", config.stateTopic(), e.toString());
                        idle(Duration.ofSeconds(1));
                    }
                }
            }
        } finally {
            sayGoodbye();
            producer.close(Duration.ofSeconds(2));
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** The tombstone (key = instance, value null): maintenance-service forgets this path at once, it is not lost. */
    private void sayGoodbye() {
        try {
            producer.flush(); // heartbeats first: the tombstone must be the last record of this instance
            producer.send(new ProducerRecord<>(statusTopic, instance, null))
                    .get(TOMBSTONE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("write-guard: stopped cleanly, tombstone sent on %s", statusTopic);
        } catch (Exception e) {
            LOG.warnf(
                    "write-guard: tombstone not sent (%s): maintenance-service will see this path lost", e.toString());
        }
    }

    private void follow(KafkaConsumer<String, String> consumer) {
        Uuid topicId = ensureTopic();
        List<TopicPartition> partitions = partitions(consumer);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        boolean caughtUp = false;
        MaintenanceState newest = null;
        TopicWatch watch = new TopicWatch(topicId);
        while (running) {
            for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                if (record.value() == null) {
                    continue; // tombstone
                }
                try {
                    MaintenanceState state = json.readValue(record.value(), MaintenanceState.class);
                    if (caughtUp) {
                        if (applyAndAnnounce(state)) {
                            // a change, not a confirmation: how long it took from maintenance-service's send
                            LOG.infof(
                                    "write-guard: %s epoch %d applied %d ms after it was sent",
                                    state.mode(), state.epoch(), System.currentTimeMillis() - record.timestamp());
                        }
                    } else if (newest == null || state.epoch() >= newest.epoch()) {
                        newest = state;
                    }
                } catch (IOException e) {
                    LOG.warnf(
                            "write-guard: ignoring unreadable state at offset %d: %s", record.offset(), e.getMessage());
                }
            }
            if (!caughtUp && reachedEnd(consumer, ends)) {
                caughtUp = true;
                topicRead = true;
                if (newest != null) {
                    applyAndAnnounce(newest);
                    LOG.infof(
                            "write-guard: state %s epoch %d (%s)",
                            guard.state().mode(), guard.epoch(), config.stateTopic());
                } else if (!guard.stateKnown()) {
                    LOG.infof(
                            "write-guard: %s is empty: writes stay refused until maintenance-service publishes the state",
                            config.stateTopic());
                }
            }
            heartbeatIfDue();
            watch.check();
        }
    }

    private boolean applyAndAnnounce(MaintenanceState state) {
        if (guard.apply(state, Instant.now())) {
            heartbeat(); // tell maintenance-service at once, not at the next tick
            return true;
        }
        return false;
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
        var infos = consumer.partitionsFor(config.stateTopic(), Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("no partitions for " + config.stateTopic());
        }
        return infos.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .collect(Collectors.toList());
    }

    /**
     * The state topic is compacted; maintenance-service creates it too, whoever comes first wins
     * (also after it was deleted). Returns the id of the topic now followed.
     */
    private Uuid ensureTopic() {
        try {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(config.stateTopic())) {
                NewTopic topic = new NewTopic(config.stateTopic(), Optional.of(1), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create " + config.stateTopic(), e.getCause());
                    }
                }
            }
            return describe().get(10, TimeUnit.SECONDS).topicId();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read " + config.stateTopic() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka unreachable at " + config.bootstrapServers(), e);
        }
    }

    private KafkaFuture<TopicDescription> describe() {
        return admin.describeTopics(List.of(config.stateTopic()))
                .topicNameValues()
                .get(config.stateTopic());
    }

    /** The follower's topic was deleted or recreated: follow it again from the beginning. */
    private static final class TopicChanged extends RuntimeException {
        TopicChanged(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Asks now and then, without ever blocking the follower's thread (it also aborts overdue writes and
     * heartbeats), whether the state topic is still the one being followed.
     */
    private final class TopicWatch {
        private final Uuid followed;
        private Instant next = Instant.now().plus(TOPIC_CHECK);
        private KafkaFuture<TopicDescription> pending;

        TopicWatch(Uuid followed) {
            this.followed = followed;
        }

        void check() {
            if (pending == null) {
                if (Instant.now().isAfter(next)) {
                    pending = describe();
                }
                return;
            }
            if (!pending.isDone()) {
                return;
            }
            KafkaFuture<TopicDescription> done = pending;
            pending = null;
            next = Instant.now().plus(TOPIC_CHECK);
            try {
                Uuid now = done.get().topicId();
                if (!now.equals(followed)) {
                    throw new TopicChanged(config.stateTopic() + " was recreated");
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new TopicChanged(config.stateTopic() + " was deleted");
                }
                // Kafka unreachable: nothing learnt; the lease runs out meanwhile if it stays so
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
        WritePathStatus status = new WritePathStatus(
                id.instance(),
                id.service(),
                s.epoch(),
                s.mode().name(),
                inFlight,
                ReadOnlyRule.drained(s, inFlight),
                Instant.now(),
                config.stateMaxAge().toMillis(),
                guard.aborted(),
                config.writesOnlyInDatabase());
        lastHeartbeat = status.at();
        lastSent = s.mode() + "/" + s.epoch() + "/" + status.drained();
        try {
            producer.send(
                    new ProducerRecord<>(config.statusTopic(), id.instance(), json.writeValueAsString(status)),
                    (meta, error) -> {
                        if (error != null) {
                            LOG.debugf("write-guard: heartbeat not sent: %s", error.toString());
                        }
                    });
        } catch (RuntimeException | JsonProcessingException e) {
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
        return KafkaCredentials.addTo(p);
    }

    private Properties adminProps() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(
                AdminClientConfig.CLIENT_ID_CONFIG,
                "write-guard-admin-" + guard.identity().instance());
        return KafkaCredentials.addTo(p);
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
        p.put(
                ProducerConfig.CLIENT_ID_CONFIG,
                "write-guard-status-" + guard.identity().instance());
        return KafkaCredentials.addTo(p);
    }
}
