package io.suite.writeguard;

/** Why a write was refused; {@link #tag()} is the {@code reason} tag of {@code writeguard.writes.refused}. */
public enum Refusal {
    /** The system is in read-only maintenance mode. */
    READ_ONLY("read-only"),
    /** This instance has not yet read the maintenance state (just started, Kafka unreachable): fail closed. */
    STATE_UNKNOWN("state-unknown"),
    /**
     * READ_WRITE is a lease: this instance has not heard the state confirmed for
     * {@code write-guard.state-max-age} (Kafka unreachable or paused, topic gone): fail closed.
     */
    STATE_STALE("state-stale"),
    /** The write was admitted before the flip but still ran when drainTimeoutMs was up: rolled back. */
    DRAIN_TIMEOUT("drain-timeout"),
    /**
     * The database refused the write: maintenance-service fenced this write path (read-only began while
     * this instance could not hear it, e.g. Kafka paused). Nothing was written.
     */
    FENCED("fenced");

    private final String tag;

    Refusal(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
