package io.suite.maintenance;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.suite.testing.Unique;

/** A fresh database schema (in maintenance_test) and fresh topics per run: the servers keep data. */
public class UniqueMaintenance implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        String schema = Unique.name("m").replace('-', '_');
        return Map.of("quarkus.flyway.schemas", schema,
                "quarkus.hibernate-orm.database.default-schema", schema,
                "maintenance.state-topic", Unique.name("mstate"),
                "maintenance.status-topic", Unique.name("wpstatus"),
                "maintenance.lost-after", "2s",
                "maintenance.drop-after", "6s");
    }
}
