package io.suite.maintenance;

import java.util.HashMap;
import java.util.Map;

import io.suite.testing.Unique;

/**
 * {@link UniqueMaintenance} plus a database fence for a service of this run only: its app and
 * writer roles are created by the test (through suite_fencer) and named only here.
 */
public class UniqueFence extends UniqueMaintenance {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> c = new HashMap<>(super.getConfigOverrides());
        String run = Unique.name("fence").replace('-', '_');
        String service = "fence-test-" + run.substring(run.length() - 8);
        c.put("maintenance.fence.roles.\"" + service + "\"", run + "_app:" + run + "_writer");
        c.put("test.fence.service", service);
        c.put("test.fence.app", run + "_app");
        c.put("test.fence.writer", run + "_writer");
        return c;
    }
}
