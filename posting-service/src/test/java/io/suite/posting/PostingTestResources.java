package io.suite.posting;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.suite.testing.MaintenanceStates;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

/**
 * A real lock-service process (unique Redis key prefix) and unique Kafka topics for this test
 * run: the maintenance state this instance follows, its heartbeats, and document-events.
 */
public class PostingTestResources implements QuarkusTestResourceLifecycleManager {
    /**
     * lock-service's {@code lock.max-items-per-request} here: fewer rows than the escalation threshold (1000
     * in both services), so that a posting run's full batch is refused as too large and split
     * (PostingRunLockSizeTest).
     */
    public static final int LOCK_MAX_ITEMS = 600;

    private static volatile ServiceProcess lockService;

    /** The lock-service of the running test instance (a test may kill it). */
    public static ServiceProcess lockService() {
        return lockService;
    }

    @Override
    public Map<String, String> start() {
        String stateTopic = Unique.name("posting-test-mstate");
        String statusTopic = Unique.name("posting-test-wps");
        // READ_WRITE published once (no maintenance-service here): both write paths get a lease as long as the run
        MaintenanceStates.publishReadWrite(stateTopic);
        Map<String, String> lockConfig = new HashMap<>(MaintenanceStates.writePath(stateTopic, statusTopic));
        lockConfig.put("lock.key-prefix", Unique.name("posting-test") + ":");
        lockConfig.put("lock.max-items-per-request", String.valueOf(LOCK_MAX_ITEMS));
        // every wait is an incident here (PostingRunBesideClerksTest reads who waited for whom), and
        // -Dtest.lock.escalation-cover=space shows what whole-space escalation did to the clerks
        lockConfig.put("lock.log-waits-over", "1ms");
        lockConfig.put("lock.escalation-cover", System.getProperty("test.lock.escalation-cover", "narrow"));
        lockService = ServiceProcess.start("lock-service", lockConfig);
        Map<String, String> config = new HashMap<>(MaintenanceStates.writePath(stateTopic, statusTopic));
        config.put("quarkus.rest-client.lock-service.url", lockService.url());
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
