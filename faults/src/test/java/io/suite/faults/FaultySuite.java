package io.suite.faults;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.suite.testing.KafkaBroker;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

/**
 * The suite as real processes on a Kafka broker of its own (so that the broker can be paused
 * without touching the one other tests share): maintenance-service, lock-service and two
 * posting-service replicas. PostgreSQL and Redis are the shared servers; this run's data is set
 * apart by a schema, a key prefix, topics and item names of its own.
 */
final class FaultySuite implements AutoCloseable {
    static final String PG = System.getProperty("faults.pg", "127.0.0.1:5432");

    final KafkaBroker broker = KafkaBroker.start();
    final String stateTopic = Unique.name("faults-mstate");
    final String statusTopic = Unique.name("faults-wps");
    final String schema = Unique.name("faults").replace('-', '_');
    final ServiceProcess maintenance;
    final ServiceProcess lock;
    final ServiceProcess postingA;
    final ServiceProcess postingB;

    FaultySuite() {
        maintenance = ServiceProcess.start("maintenance-service", maintenanceConfig());
        lock = ServiceProcess.start("lock-service", lockConfig());
        var a = CompletableFuture.supplyAsync(() -> ServiceProcess.start("posting-service", postingConfig()));
        var b = CompletableFuture.supplyAsync(() -> ServiceProcess.start("posting-service", postingConfig()));
        postingA = a.join();
        postingB = b.join();
    }

    String maintenanceUrl() {
        return maintenance.url() + "/v1/maintenance";
    }

    private Map<String, String> kafka() {
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(), "write-guard.state-topic", stateTopic,
                "write-guard.status-topic", statusTopic);
    }

    private Map<String, String> maintenanceConfig() {
        Map<String, String> c = new HashMap<>(kafka());
        c.put("quarkus.datasource.reactive.url", "postgresql://" + PG + "/maintenance_test");
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + PG + "/maintenance_test");
        c.put("quarkus.flyway.schemas", schema);
        c.put("quarkus.hibernate-orm.database.default-schema", schema);
        c.put("maintenance.state-topic", stateTopic);
        c.put("maintenance.status-topic", statusTopic);
        return c;
    }

    private Map<String, String> lockConfig() {
        Map<String, String> c = new HashMap<>(kafka());
        c.put("lock.key-prefix", schema + ":");
        return c;
    }

    private Map<String, String> postingConfig() {
        Map<String, String> c = new HashMap<>(kafka());
        c.put("quarkus.datasource.reactive.url", "postgresql://" + PG + "/posting_test");
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + PG + "/posting_test");
        c.put("quarkus.rest-client.lock-service.url", lock.url());
        c.put("posting.events-topic", Unique.name("faults-document-events"));
        return c;
    }

    @Override
    public void close() {
        // A failed test may leave a process frozen: thaw it first, or it would not stop.
        for (ServiceProcess p : List.of(postingA, postingB, lock, maintenance)) {
            if (p.isAlive()) {
                p.resume();
            }
            p.close();
        }
        broker.resume();
        broker.close();
    }
}
