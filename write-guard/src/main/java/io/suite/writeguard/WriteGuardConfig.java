package io.suite.writeguard;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code write-guard.*}: tests override the topics with unique names. */
@ConfigMapping(prefix = "write-guard")
public interface WriteGuardConfig {

    /** Compacted topic with the maintenance state (read from the beginning by every instance). */
    @WithDefault("maintenance-state")
    String stateTopic();

    /** Topic this instance heartbeats on. */
    @WithDefault("write-path-status")
    String statusTopic();

    /** Kafka bootstrap servers. */
    @WithDefault("${kafka.bootstrap.servers:127.0.0.1:9092}")
    String bootstrapServers();

    /** The service name in heartbeats. */
    @WithDefault("${quarkus.application.name:write-path}")
    String service();

    /** This instance in heartbeats; default host name plus a random suffix (unique per process). */
    Optional<String> instanceId();

    /** How often this instance heartbeats on the status topic. */
    @WithDefault("1s")
    Duration heartbeatInterval();

    /** Retry-After when the read-only state has no expiresAt. */
    @WithDefault("30s")
    Duration retryAfter();

    /** Retry-After while the state is not yet known. */
    @WithDefault("2s")
    Duration retryAfterUnknown();

    /** Readiness is DOWN until the state is known (set false to keep serving reads while Kafka is out). */
    @WithDefault("true")
    boolean readinessRequiresState();
}
