package io.suite.locks;

import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.suite.testing.Kafka;

/**
 * For tests that run lock-service as processes: publishes READ_WRITE on their state topic at once
 * and every second, as maintenance-service does (a write guard holds READ_WRITE only as a lease).
 */
final class MaintenanceStateFeed implements AutoCloseable {
    private final String topic;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    MaintenanceStateFeed(String topic) throws Exception {
        this.topic = topic;
        send();
        timer.scheduleAtFixedRate(
                () -> {
                    try {
                        send();
                    } catch (Exception e) {
                        // the next second tries again
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
    }

    private void send() throws Exception {
        String now = Instant.now().toString();
        Kafka.send(
                topic,
                "state",
                "{\"mode\":\"READ_WRITE\",\"epoch\":1,\"reason\":\"lock-service test\",\"since\":\"2026-01-01T00:00:00Z\""
                        + ",\"requestedBy\":\"test\",\"confirmedAt\":\"" + now + "\"}");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
