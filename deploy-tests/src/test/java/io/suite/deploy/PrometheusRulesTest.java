package io.suite.deploy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus side, checked by Prometheus' own tool: config, rules, and the alerts' unit tests. */
class PrometheusRulesTest {
    static final String PROMTOOL = "promtool";
    static final String INSTALL = "It comes with Debian's package prometheus (./suite test installs it: apt-get install prometheus).";

    static Command promtool(String... args) {
        List<String> cmd = Command.of(Command.require(PROMTOOL, INSTALL));
        cmd.addAll(List.of(args));
        return Command.run(Duration.ofSeconds(60), cmd, Repo.path("observability/prometheus"));
    }

    @Test
    void alertRulesAreValid() {
        Command result = promtool("check", "rules", "alerts.yml");
        assertEquals(0, result.exitCode(), result.describe());
    }

    @Test
    void prometheusConfigIsValid() {
        Command result = promtool("check", "config", "prometheus.yml");
        assertEquals(0, result.exitCode(), result.describe());
    }

    /** alerts.test.yml feeds series to the rules and says which alerts must fire when. */
    @Test
    void alertsFireWhenTheyShouldAndOnlyThen() {
        Command result = promtool("test", "rules", "alerts.test.yml");
        assertEquals(0, result.exitCode(), result.describe());
    }

    @Test
    void theAlertsOfTheIssueExist() {
        assertTrue(Repo.ruleExpressions().keySet().containsAll(
                Set.of("BackupTooOld", "MaintenanceStuckDraining", "LockTimeoutsRising", "WritePathLost")));
    }

    /** Every panel has a query, and every query reads at least one metric of the suite. */
    @Test
    void everyDashboardPanelReadsSuiteMetrics() {
        Map<String, String> empty = new TreeMap<>();
        Repo.dashboardExpressions().forEach((panel, expr) -> {
            if (expr.isBlank() || PromQl.metricNames(expr).isEmpty()) {
                empty.put(panel, expr);
            }
        });
        assertTrue(empty.isEmpty(), "panels without a metric: " + empty);
        for (String dashboard : Repo.DASHBOARDS) {
            var json = Repo.json(Repo.path("observability/grafana/dashboards/" + dashboard + ".json"));
            assertEquals("suite-" + dashboard, json.path("uid").asText());
            for (var panel : Repo.panels(json)) {
                assertEquals("prometheus", panel.path("datasource").path("uid").asText(),
                        dashboard + " / " + panel.path("title").asText() + ": datasource uid (provisioned as 'prometheus')");
                assertTrue(panel.path("targets").size() > 0, dashboard + " / " + panel.path("title").asText() + " has no query");
            }
        }
    }
}
