package io.suite.posting.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/** The Kafka channel {@code document-events}: one event, keyed by document id, acknowledged by the broker. */
@ApplicationScoped
public class DocumentEvents {
    private final MutinyEmitter<String> emitter;

    DocumentEvents(@Channel("document-events") MutinyEmitter<String> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> send(String key, String payload) {
        return emitter.sendMessage(Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .build()));
    }
}
