package io.suite.writeguard;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.suite.testing.Unique;

/** Fresh, empty topics and the default lease: what a write path meets on a new or emptied cluster. */
public class FreshTopics implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "write-guard.state-topic",
                Unique.name("wg-fresh-state"),
                "write-guard.status-topic",
                Unique.name("wg-fresh-status"),
                "write-guard.heartbeat-interval",
                "200ms");
    }
}
