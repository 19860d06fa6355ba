package io.suite.maintenance;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.suite.testing.Unique;

/**
 * A fresh database schema (in maintenance_test) and fresh topics per run: the servers keep data. Plus a
 * database fence for a service of this run only (FenceTest): its app and writer roles are created by the
 * test (through suite_fencer) and named only here; no other test's write path belongs to that service.
 * One profile for every @QuarkusTest of this module, so the app starts once.
 */
public class UniqueMaintenance implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        String schema = Unique.name("m").replace('-', '_');
        Map<String, String> c = new HashMap<>(Map.of(
                "quarkus.flyway.schemas",
                schema,
                "quarkus.hibernate-orm.database.default-schema",
                schema,
                "maintenance.state-topic",
                Unique.name("mstate"),
                "maintenance.status-topic",
                Unique.name("wpstatus"),
                "maintenance.lost-after",
                "2s",
                "maintenance.drop-after",
                "6s"));
        String run = Unique.name("fence").replace('-', '_');
        String service = "fence-test-" + run.substring(run.length() - 8);
        c.put("maintenance.fence.roles.\"" + service + "\"", run + "_app:" + run + "_writer");
        c.put("test.fence.service", service);
        c.put("test.fence.app", run + "_app");
        c.put("test.fence.writer", run + "_writer");
        return c;
    }
}
