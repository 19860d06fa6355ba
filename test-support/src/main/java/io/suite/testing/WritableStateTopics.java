package io.suite.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource for a module whose app is a write path: unique state and status topics,
 * READ_WRITE published on the state topic before the app starts, and a lease as long as the run
 * (nobody confirms the state in these tests). Enable for a whole module with
 * {@code @QuarkusTestResource(WritableStateTopics.class)} on any class of its tests.
 */
public class WritableStateTopics implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        String stateTopic = Unique.name("test-mstate");
        MaintenanceStates.publishReadWrite(stateTopic);
        return MaintenanceStates.writePath(stateTopic, Unique.name("test-wps"));
    }

    @Override
    public void stop() {}
}
