package io.suite.writeguard;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.suite.testing.Unique;

/**
 * Fresh topics per run: never the real maintenance-state, which other tests' services follow. The
 * tests publish each state once, nobody confirms it: a lease as long as the run (LeaseTest tests the lease).
 */
public class UniqueTopics implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "write-guard.state-topic",
                Unique.name("wg-state"),
                "write-guard.status-topic",
                Unique.name("wg-status"),
                "write-guard.heartbeat-interval",
                "200ms",
                "write-guard.state-max-age",
                "1h");
    }
}
