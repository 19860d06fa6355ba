package io.suite.writeguard;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.suite.testing.Unique;

/** Kafka cannot be reached at boot: the guard must never learn the state. */
public class KafkaUnreachable implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "write-guard.bootstrap-servers",
                "127.0.0.1:1",
                "write-guard.state-topic",
                Unique.name("wg-state"),
                "write-guard.status-topic",
                Unique.name("wg-status"));
    }
}
