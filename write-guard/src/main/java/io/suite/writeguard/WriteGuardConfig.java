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

    /**
     * READ_WRITE is a lease: writes are refused ({@code state-stale}) once the state has not been
     * confirmed for this long (counted from the record's confirmedAt, or from its arrival if earlier).
     * maintenance-service confirms every second; maintenance-service also reads this (the heartbeat's
     * stateMaxAgeMs) to know when this path's lease must have ended.
     */
    @WithDefault("5s")
    Duration stateMaxAge();

    /**
     * True when every write of this service goes through its database role, so maintenance-service's
     * database fence alone stops them all: a path that does not drain (paused, cut off) is then fenced
     * at the drain timeout, without waiting out its READ_WRITE lease. Leave false for a path that also
     * writes elsewhere (lock-service grants locks in Redis).
     */
    @WithDefault("false")
    boolean writesOnlyInDatabase();

    /** Retry-After when the read-only state has no expiresAt. */
    @WithDefault("30s")
    Duration retryAfter();

    /** Retry-After while the state is not yet known, or stale. */
    @WithDefault("2s")
    Duration retryAfterUnknown();

    /** Readiness is DOWN until the state is known and while it is stale (set false to keep serving reads while Kafka is out). */
    @WithDefault("true")
    boolean readinessRequiresState();
}
