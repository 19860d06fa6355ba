package io.suite.backup.backups;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Publishes to {@code backup-events}, keyed by backup id, after the catalog change is committed. The catalog
 * is the truth; an event that fails to send is logged, not retried (consumers can always GET the backup).
 */
@ApplicationScoped
public class BackupEvents {
    private static final Logger LOG = Logger.getLogger(BackupEvents.class);

    public enum Type {
        STARTED,
        SUCCEEDED,
        FAILED,
        VERIFIED,
        RESTORED
    }

    private final Emitter<String> emitter;
    private final ObjectMapper json;

    BackupEvents(@Channel("backup-events") Emitter<String> emitter, ObjectMapper json) {
        this.emitter = emitter;
        this.json = json;
    }

    public void publish(Type type, Backup backup) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type.name());
        event.put("backupId", backup.id.toString());
        event.put("label", backup.label);
        event.put("status", backup.status.name());
        event.put("epoch", backup.epoch);
        event.put("verified", backup.verified);
        event.put("error", type == Type.RESTORED ? backup.restoreError : backup.error);
        event.put("at", Instant.now().toString());
        String text;
        try {
            text = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        emitter.send(Message.of(text)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(backup.id.toString())
                        .build())
                .withNack(e -> {
                    LOG.warnf("backup event %s for %s not sent: %s", type, backup.id, e.getMessage());
                    return CompletableFuture.completedFuture(null);
                }));
    }
}
