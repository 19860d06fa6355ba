package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.suite.access.KafkaCredentials;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Sends states to the compacted topic (key "state"). Only ever called after the change is
 * committed; what could not be sent stays unpublished in the database and is sent again by the
 * outbox tick ({@link Maintenance#tick()}).
 */
@ApplicationScoped
public class StatePublisher {
    public static final String KEY = "state";

    private final MaintenanceConfig config;
    private final ObjectMapper json;
    private final KafkaTopics topics;

    StatePublisher(MaintenanceConfig config, ObjectMapper json, KafkaTopics topics) {
        this.config = config;
        this.json = json;
        this.topics = topics;
    }

    private KafkaProducer<String, String> producer;

    private synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            // Not idempotent: a deleted and re-created topic would fail its sequence numbers for good.
            // Every record is the whole state and epochs only grow, so a duplicate is harmless;
            // one request in flight keeps the order.
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 6000);
            producer = new KafkaProducer<>(KafkaCredentials.addTo(p));
        }
        return producer;
    }

    /**
     * Sends {@code state} stamped {@code confirmedAt} (taken while the state row was locked, so no
     * READ_WRITE confirmation carries a time after a later flip); completes when Kafka acknowledged
     * it. {@code checkTopic}: first make sure the topic exists and is compacted (the confirmations).
     * Runs off the event loop (send may block on metadata).
     */
    public Uni<MaintenanceState> send(MaintenanceState state, Instant confirmedAt, boolean checkTopic) {
        return Uni.createFrom().deferred(() -> {
            // Hibernate Reactive after the send must run on the caller's Vert.x context, not Kafka's thread.
            Context caller = Vertx.currentContext();
            Uni<MaintenanceState> sent = sendOffLoop(state, confirmedAt, checkTopic);
            return caller == null ? sent : sent.emitOn(task -> caller.runOnContext(v -> task.run()));
        });
    }

    private Uni<MaintenanceState> sendOffLoop(MaintenanceState state, Instant confirmedAt, boolean checkTopic) {
        return Uni.createFrom()
                .<MaintenanceState>emitter(em -> {
                    String value;
                    try {
                        ObjectNode record = json.valueToTree(state);
                        record.put("confirmedAt", confirmedAt.toString());
                        value = json.writeValueAsString(record);
                    } catch (JsonProcessingException | IllegalArgumentException e) {
                        em.fail(e);
                        return;
                    }
                    try {
                        if (checkTopic) {
                            topics.ensureStateTopic();
                        }
                        producer().send(new ProducerRecord<>(config.stateTopic(), KEY, value), (meta, error) -> {
                            if (error != null) {
                                em.fail(error);
                            } else {
                                em.complete(state);
                            }
                        });
                    } catch (RuntimeException e) {
                        em.fail(e);
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(3));
        }
    }
}
