package io.suite.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.suite.testing.ServiceProcess;

/** The repository's deployment files, read the way the tools read them. */
final class Repo {
    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();
    static final List<String> DASHBOARDS = List.of("locks", "posting", "maintenance", "backups");

    private Repo() {}

    static Path root() {
        return ServiceProcess.repositoryRoot();
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a multi-document YAML stream, empty ones left out. */
    static List<ObjectNode> yamlDocuments(String text) {
        List<ObjectNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(text)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc instanceof ObjectNode o && !o.isEmpty()) {
                    docs.add(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** The PromQL of every dashboard panel target, keyed "dashboard / panel". */
    static Map<String, String> dashboardExpressions() {
        Map<String, String> exprs = new LinkedHashMap<>();
        for (String name : DASHBOARDS) {
            JsonNode dashboard = json(path("observability/grafana/dashboards/" + name + ".json"));
            for (JsonNode panel : panels(dashboard)) {
                int i = 0;
                for (JsonNode target : panel.path("targets")) {
                    exprs.put(
                            name + " / " + panel.path("title").asText() + " #" + (++i),
                            target.path("expr").asText());
                }
            }
        }
        return exprs;
    }

    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add); // panels inside collapsed rows
        }
        return all;
    }

    /** The PromQL of every alert rule, keyed by alert name. */
    static Map<String, String> ruleExpressions() {
        Map<String, String> exprs = new LinkedHashMap<>();
        for (JsonNode group : yaml(path("observability/prometheus/alerts.yml")).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert")
                        ? rule.path("alert").asText()
                        : rule.path("record").asText();
                exprs.put(name, rule.path("expr").asText());
            }
        }
        return exprs;
    }

    /** Metric names that panels and alerts read, less what Prometheus makes itself (up, scrape_*). */
    static Set<String> metricsUsed() {
        Set<String> names = new TreeSet<>();
        Stream.concat(dashboardExpressions().values().stream(), ruleExpressions().values().stream())
                .map(PromQl::metricNames)
                .forEach(names::addAll);
        names.removeIf(n -> n.equals("up") || n.startsWith("scrape_"));
        return names;
    }
}
