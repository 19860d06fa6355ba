package io.suite.maintenance;

import java.time.Duration;
import java.util.Map;

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

    /** A write path silent this long is lost: in read-only mode it is fenced (it never counts as drained). */
    @WithDefault("5s")
    Duration lostAfter();

    /**
     * A write path silent this long in READ_WRITE is forgotten (one fenced in a read-only epoch is
     * forgotten when that epoch ends). Also how far back a (re)start re-reads the heartbeats, so
     * keep it within the retention of the status topic (1 h).
     */
    @WithDefault("1h")
    Duration dropAfter();

    /** How often the current state is confirmed (republished from the database) on the state topic. */
    @WithDefault("1s")
    Duration confirmInterval();

    /** How far the clocks of this service and of a write path may disagree (added to a path's lease). */
    @WithDefault("1s")
    Duration clockSkewMargin();

    /** The database fence. */
    Fence fence();

    interface Fence {
        /**
         * Per service (the {@code service} of its heartbeats) that writes a PostgreSQL database:
         * {@code <app role>:<writer role>}. A service not named here is fenced by its lease alone.
         */
        Map<String, String> roles();
    }

    default PhaseRule.Limits limits() {
        return new PhaseRule.Limits(lostAfter(), clockSkewMargin());
    }

    /** durationMs when a read-only request names none. */
    @WithDefault("1h")
    Duration defaultDuration();

    /** drainTimeoutMs when a read-only request names none. */
    @WithDefault("60s")
    Duration defaultDrainTimeout();
}
