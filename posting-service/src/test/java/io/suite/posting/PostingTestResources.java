package io.suite.posting;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

/**
 * A real lock-service process (unique Redis key prefix) and unique Kafka topics for this test
 * run: the maintenance state this instance follows, its heartbeats, and document-events.
 */
public class PostingTestResources implements QuarkusTestResourceLifecycleManager {
    private static volatile ServiceProcess lockService;

    /** The lock-service of the running test instance (a test may kill it). */
    public static ServiceProcess lockService() {
        return lockService;
    }

    @Override
    public Map<String, String> start() {
        String stateTopic = Unique.name("posting-test-mstate");
        String statusTopic = Unique.name("posting-test-wps");
        lockService = ServiceProcess.start("lock-service", Map.of(
                "lock.key-prefix", Unique.name("posting-test") + ":",
                "write-guard.state-topic", stateTopic,
                "write-guard.status-topic", statusTopic));
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.rest-client.lock-service.url", lockService.url());
        config.put("write-guard.state-topic", stateTopic);
        config.put("write-guard.status-topic", statusTopic);
        config.put("posting.events-topic", Unique.name("posting-test-document-events"));
        return config;
    }

    @Override
    public void stop() {
        if (lockService != null) {
            lockService.close();
        }
    }
}
