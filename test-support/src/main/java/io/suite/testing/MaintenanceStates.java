package io.suite.testing;

import java.time.Instant;
import java.util.Map;

/**
 * The maintenance state as tests publish it on their own state topic, for write paths they run
 * without a maintenance-service. A write path holds READ_WRITE only as a lease
 * ({@code write-guard.state-max-age}, 5 s) and an empty topic means "unknown" (writes refused):
 * a test that publishes once gives its write paths {@link #LONG_LEASE}.
 */
public final class MaintenanceStates {
    /** A lease longer than any test run, for write paths whose state nobody confirms every second. */
    public static final String LONG_LEASE = "1h";

    private MaintenanceStates() {}

    /** {@code write-guard.*} config of a write path on these topics, with {@link #LONG_LEASE}. */
    public static Map<String, String> writePath(String stateTopic, String statusTopic) {
        return Map.of(
                "write-guard.state-topic",
                stateTopic,
                "write-guard.status-topic",
                statusTopic,
                "write-guard.state-max-age",
                LONG_LEASE);
    }

    /** Publishes READ_WRITE epoch 0 on {@code stateTopic}: what a maintenance-service with a new database publishes. */
    public static void publishReadWrite(String stateTopic) {
        publish(stateTopic, "READ_WRITE", 0, null);
    }

    /** Publishes a state confirmed now (key "state", as maintenance-service does). */
    public static void publish(String stateTopic, String mode, long epoch, Long drainTimeoutMs) {
        Instant now = Instant.now();
        String json = "{\"mode\":\"" + mode + "\",\"epoch\":" + epoch + ",\"reason\":\"test\",\"since\":\"" + now
                + "\",\"requestedBy\":\"test\",\"confirmedAt\":\"" + now + "\""
                + (drainTimeoutMs == null ? "" : ",\"drainTimeoutMs\":" + drainTimeoutMs) + "}";
        try {
            Kafka.send(stateTopic, "state", json);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish the maintenance state on " + stateTopic, e);
        }
    }
}
