package io.suite.maintenance;

import java.util.HashMap;
import java.util.Map;

import io.suite.testing.MaintenanceStates;
import io.suite.testing.Unique;

/** Config for service processes of one IT: its own topics, schema and key prefix. */
final class Suite {
    static final String PG = "127.0.0.1:5432";
    final String stateTopic = Unique.name("it-mstate");
    final String statusTopic = Unique.name("it-wps");
    final String schema = Unique.name("mit").replace('-', '_');

    Map<String, String> maintenance() {
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.datasource.reactive.url", "postgresql://" + PG + "/maintenance_test");
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + PG + "/maintenance_test");
        c.put("quarkus.flyway.schemas", schema);
        c.put("quarkus.hibernate-orm.database.default-schema", schema);
        c.put("maintenance.state-topic", stateTopic);
        c.put("maintenance.status-topic", statusTopic);
        return c;
    }

    /**
     * maintenance-service publishes its state on start; a long lease (MaintenanceStates) until it also
     * confirms it every second (maintenance.confirm-interval), then the default 5 s lease will do.
     */
    Map<String, String> writePath() {
        return MaintenanceStates.writePath(stateTopic, statusTopic);
    }

    Map<String, String> lockService() {
        Map<String, String> c = new HashMap<>(writePath());
        c.put("lock.key-prefix", Unique.name("mit") + ":");
        return c;
    }

    Map<String, String> postingService(String lockUrl) {
        Map<String, String> c = new HashMap<>(writePath());
        c.put("quarkus.datasource.reactive.url", "postgresql://" + PG + "/posting_test");
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + PG + "/posting_test");
        c.put("quarkus.rest-client.lock-service.url", lockUrl);
        c.put("posting.events-topic", Unique.name("it-document-events"));
        // posting_test is shared: a newer branch may have migrated it further than this build knows.
        c.put("quarkus.flyway.ignore-migration-patterns", "*:future");
        return c;
    }
}
