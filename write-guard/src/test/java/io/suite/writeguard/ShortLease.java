package io.suite.writeguard;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.suite.testing.Unique;

/** Fresh topics and a short READ_WRITE lease, so that a test can watch it run out. */
public class ShortLease implements QuarkusTestProfile {
    static final long MAX_AGE_MS = 2000;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "write-guard.state-topic",
                Unique.name("wg-lease-state"),
                "write-guard.status-topic",
                Unique.name("wg-lease-status"),
                "write-guard.state-max-age",
                MAX_AGE_MS + "ms");
    }
}
