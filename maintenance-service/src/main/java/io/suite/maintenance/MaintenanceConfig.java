package io.suite.maintenance;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code maintenance.*}: tests override topics (and the database schema) with unique names. */
@ConfigMapping(prefix = "maintenance")
public interface MaintenanceConfig {
    /** Compacted topic the state is published on (key "state"). */
    @WithDefault("maintenance-state")
    String stateTopic();

    /** Topic the write paths heartbeat on. */
    @WithDefault("write-path-status")
    String statusTopic();

    @WithDefault("${kafka.bootstrap.servers:127.0.0.1:9092}")
    String bootstrapServers();

    /** A write path silent this long is shown as lost (and no longer holds DRAINED back). */
    @WithDefault("5s")
    Duration lostAfter();

    /** A write path silent this long is dropped from the list. */
    @WithDefault("60s")
    Duration dropAfter();

    /** durationMs when a read-only request names none. */
    @WithDefault("1h")
    Duration defaultDuration();

    /** drainTimeoutMs when a read-only request names none. */
    @WithDefault("60s")
    Duration defaultDrainTimeout();
}
