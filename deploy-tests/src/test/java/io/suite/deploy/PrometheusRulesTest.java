package io.suite.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus side, checked by Prometheus' own tool: config, rules, and the alerts' unit tests. */
class PrometheusRulesTest {
    static final String PROMTOOL = "promtool";
    static final String INSTALL =
            "It comes with Debian's package prometheus (./suite test installs it: apt-get install prometheus).";

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
        assertTrue(Repo.ruleExpressions()
                .keySet()
                .containsAll(Set.of(
                        "BackupTooOld",
                        "MaintenanceStuckDraining",
                        "LockTimeoutsRising",
                        "WritePathLost",
                        "OutboxSendFailing",
                        "SuiteServerErrors")));
    }

    /** Every alert of alerts.yml is expected to fire in some test of alerts.test.yml (so each has a unit test that could fail). */
    @Test
    void everyAlertHasAUnitTestInWhichItFires() {
        Set<String> tested = new TreeSet<>();
        for (var test :
                Repo.yaml(Repo.path("observability/prometheus/alerts.test.yml")).path("tests")) {
            for (var expectation : test.path("alert_rule_test")) {
                if (expectation.path("exp_alerts").size() > 0) {
                    tested.add(expectation.path("alertname").asText());
                }
            }
        }
        Set<String> alerts = new TreeSet<>(Repo.ruleExpressions().keySet());
        alerts.removeAll(tested);
        assertEquals(Set.of(), alerts, "alerts that no promtool test makes fire");
    }

    /** One Prometheus may watch several namespaces: every aggregation in a rule keeps `namespace`, so an alert names its own. */
    @Test
    void everyAggregationInTheRulesKeepsTheNamespace() {
        Map<String, String> lost = new TreeMap<>();
        Pattern aggregation = Pattern.compile(
                "\\b(sum|max|min|avg|count|topk|bottomk|quantile|stddev|stdvar|group)\\s*(by\\s*\\(([^)]*)\\))?\\s*\\(");
        Repo.ruleExpressions().forEach((alert, expr) -> {
            Matcher m = aggregation.matcher(expr);
            while (m.find()) {
                if (m.group(3) == null
                        || !List.of(m.group(3).split("\\s*,\\s*")).contains("namespace")) {
                    lost.put(
                            alert, expr.substring(m.start()).lines().findFirst().orElse(""));
                }
            }
        });
        assertTrue(lost.isEmpty(), "aggregations without by (namespace): " + lost);
    }

    /** Every dashboard has the namespace variable and every selector of every panel reads only that namespace. */
    @Test
    void everyDashboardQueryIsLimitedToTheChosenNamespace() {
        for (String dashboard : Repo.DASHBOARDS) {
            var json = Repo.json(Repo.path("observability/grafana/dashboards/" + dashboard + ".json"));
            var variable = json.path("templating").path("list").findValues("name").stream()
                    .map(n -> n.asText())
                    .toList();
            assertTrue(variable.contains("namespace"), dashboard + " has no namespace variable");
        }
        Map<String, String> open = new TreeMap<>();
        Repo.dashboardExpressions().forEach((panel, expr) -> {
            for (String metric : PromQl.metricNames(expr)) {
                Matcher m = Pattern.compile("\\b" + Pattern.quote(metric) + "(\\{[^}]*\\})?")
                        .matcher(expr);
                while (m.find()) {
                    if (m.group(1) == null || !m.group(1).contains("namespace=\"$namespace\"")) {
                        open.put(panel, expr);
                    }
                }
            }
        });
        assertTrue(open.isEmpty(), "panel queries that read every namespace: " + open);
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
                assertEquals(
                        "prometheus",
                        panel.path("datasource").path("uid").asText(),
                        dashboard + " / " + panel.path("title").asText()
                                + ": datasource uid (provisioned as 'prometheus')");
                assertTrue(
                        panel.path("targets").size() > 0,
                        dashboard + " / " + panel.path("title").asText() + " has no query");
            }
        }
    }
}
