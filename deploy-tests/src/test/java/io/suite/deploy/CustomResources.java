package io.suite.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Structural checks of the operator kinds (their CRD schemas are not available offline here):
 * the apiVersion the operator serves, the required fields, the keys it knows at the top of
 * spec (a misspelt key would be pruned silently by the API server), the enumerations that
 * matter, and that each object points at one that exists (topic to Kafka cluster, ...).
 */
final class CustomResources {
    private static final Set<String> GROUPS = Set.of("kafka.strimzi.io", "postgresql.cnpg.io", "monitoring.coreos.com");
    private static final Map<String, String> API_VERSIONS = Map.of(
            "Kafka", "kafka.strimzi.io/v1beta2", "KafkaNodePool", "kafka.strimzi.io/v1beta2",
            "KafkaTopic", "kafka.strimzi.io/v1beta2", "Cluster", "postgresql.cnpg.io/v1",
            "Database", "postgresql.cnpg.io/v1", "ServiceMonitor", "monitoring.coreos.com/v1",
            "PodMonitor", "monitoring.coreos.com/v1", "PrometheusRule", "monitoring.coreos.com/v1");
    private static final Map<String, Set<String>> SPEC_KEYS = Map.of(
            "Kafka", Set.of("kafka", "zookeeper", "entityOperator", "clusterCa", "clientsCa", "cruiseControl",
                    "kafkaExporter", "maintenanceTimeWindows"),
            "KafkaNodePool", Set.of("replicas", "storage", "roles", "resources", "jvmOptions", "template"),
            "KafkaTopic", Set.of("topicName", "partitions", "replicas", "config"),
            "Cluster", Set.of("instances", "imageName", "imageCatalogRef", "primaryUpdateStrategy", "primaryUpdateMethod",
                    "bootstrap", "postgresql", "storage", "walStorage", "resources", "monitoring", "affinity", "backup",
                    "managed", "superuserSecret", "enableSuperuserAccess", "description", "minSyncReplicas",
                    "maxSyncReplicas", "replicationSlots", "topologySpreadConstraints"),
            "Database", Set.of("name", "owner", "cluster", "ensure", "template", "encoding", "databaseReclaimPolicy",
                    "extensions", "schemas"),
            "ServiceMonitor", Set.of("selector", "endpoints", "namespaceSelector", "jobLabel", "targetLabels",
                    "podTargetLabels", "sampleLimit"),
            "PodMonitor", Set.of("selector", "podMetricsEndpoints", "namespaceSelector", "jobLabel", "podTargetLabels",
                    "sampleLimit"),
            "PrometheusRule", Set.of("groups"));
    private static final Set<String> KAFKA_KEYS = Set.of("version", "metadataVersion", "listeners", "config", "authorization",
            "rack", "livenessProbe", "readinessProbe", "jvmOptions", "jmxOptions", "resources", "metricsConfig", "logging",
            "template", "tieredStorage", "quotas", "image", "brokerRackInitImage");
    private static final Set<String> LISTENER_TYPES = Set.of("internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip");
    private static final Pattern LISTENER_NAME = Pattern.compile("^[a-z0-9]{1,11}$");

    private CustomResources() {
    }

    static boolean handles(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash > 0 && GROUPS.contains(apiVersion.substring(0, slash));
    }

    static void check(ObjectNode o, List<ObjectNode> all, List<String> errors) {
        String kind = o.path("kind").asText();
        String id = ManifestsTest.id(o);
        if (!API_VERSIONS.containsKey(kind)) {
            errors.add(id + ": unknown operator kind " + o.path("apiVersion").asText());
            return;
        }
        expect(errors, id, API_VERSIONS.get(kind).equals(o.path("apiVersion").asText()),
                "apiVersion must be " + API_VERSIONS.get(kind));
        JsonNode spec = o.path("spec");
        spec.fieldNames().forEachRemaining(k -> expect(errors, id, SPEC_KEYS.get(kind).contains(k), "unknown spec." + k));
        switch (kind) {
            case "Kafka" -> kafka(o, errors, id);
            case "KafkaNodePool" -> {
                clusterLabel(o, all, errors, id);
                expect(errors, id, spec.path("replicas").asInt() >= 1, "spec.replicas >= 1");
                expect(errors, id, spec.path("roles").size() > 0, "spec.roles");
                spec.path("roles").forEach(r -> expect(errors, id, Set.of("controller", "broker").contains(r.asText()), "role " + r));
                storage(spec.path("storage"), errors, id);
            }
            case "KafkaTopic" -> {
                clusterLabel(o, all, errors, id);
                expect(errors, id, spec.path("partitions").asInt() >= 1, "spec.partitions >= 1");
                int brokers = ManifestsTest.kind(all, "KafkaNodePool").stream()
                        .mapToInt(p -> p.path("spec").path("replicas").asInt()).sum();
                int replicas = spec.path("replicas").asInt();
                expect(errors, id, replicas >= 1 && replicas <= brokers, "spec.replicas " + replicas + " with " + brokers + " broker(s)");
                spec.path("config").fields().forEachRemaining(e ->
                        expect(errors, id, e.getValue().isValueNode(), "config " + e.getKey() + " must be a scalar"));
            }
            case "Cluster" -> {
                expect(errors, id, spec.path("instances").asInt() >= 1, "spec.instances >= 1");
                expect(errors, id, spec.path("storage").path("size").isTextual(), "spec.storage.size");
                JsonNode initdb = spec.path("bootstrap").path("initdb");
                expect(errors, id, initdb.path("database").isTextual() && initdb.path("owner").isTextual(),
                        "spec.bootstrap.initdb.database and owner");
                spec.path("postgresql").path("parameters").fields().forEachRemaining(e ->
                        expect(errors, id, e.getValue().isTextual(), "postgresql parameter " + e.getKey() + " must be a string"));
            }
            case "Database" -> {
                expect(errors, id, spec.path("name").isTextual() && spec.path("owner").isTextual(), "spec.name and spec.owner");
                String cluster = spec.path("cluster").path("name").asText();
                expect(errors, id, ManifestsTest.names(all, "Cluster").contains(cluster), "spec.cluster.name " + cluster + " is not rendered");
            }
            case "ServiceMonitor" -> {
                expect(errors, id, spec.path("selector").path("matchLabels").size() > 0, "spec.selector.matchLabels");
                expect(errors, id, spec.path("endpoints").size() > 0, "spec.endpoints");
                for (JsonNode e : spec.path("endpoints")) {
                    expect(errors, id, e.path("port").isTextual(), "endpoint port name");
                    expect(errors, id, e.path("path").asText().startsWith("/"), "endpoint path");
                }
                long selected = ManifestsTest.kind(all, "Service").stream()
                        .filter(s -> ManifestsTest.matches(spec.path("selector").path("matchLabels"), s.path("metadata").path("labels")))
                        .count();
                expect(errors, id, selected == ManifestsTest.SERVICES.size(), "selects " + selected + " Services, not the four services");
            }
            case "PodMonitor" -> {
                expect(errors, id, spec.path("selector").path("matchLabels").size() > 0, "spec.selector.matchLabels");
                expect(errors, id, spec.path("podMetricsEndpoints").size() > 0, "spec.podMetricsEndpoints");
            }
            case "PrometheusRule" -> {
                for (JsonNode g : spec.path("groups")) {
                    expect(errors, id, g.path("name").isTextual(), "group name");
                    for (JsonNode r : g.path("rules")) {
                        expect(errors, id, (r.has("alert") || r.has("record")) && r.path("expr").isTextual(), "rule " + r.path("alert"));
                    }
                }
            }
            default -> errors.add(id + ": not checked");
        }
    }

    private static void kafka(ObjectNode o, List<String> errors, String id) {
        JsonNode annotations = o.path("metadata").path("annotations");
        expect(errors, id, "enabled".equals(annotations.path("strimzi.io/kraft").asText()), "annotation strimzi.io/kraft: enabled");
        expect(errors, id, "enabled".equals(annotations.path("strimzi.io/node-pools").asText()), "annotation strimzi.io/node-pools: enabled");
        JsonNode kafka = o.path("spec").path("kafka");
        kafka.fieldNames().forEachRemaining(k -> expect(errors, id, KAFKA_KEYS.contains(k), "unknown spec.kafka." + k));
        expect(errors, id, !o.path("spec").has("zookeeper"), "KRaft: no spec.zookeeper");
        expect(errors, id, kafka.path("listeners").size() > 0, "spec.kafka.listeners");
        for (JsonNode l : kafka.path("listeners")) {
            expect(errors, id, LISTENER_NAME.matcher(l.path("name").asText()).matches(), "listener name " + l.path("name"));
            expect(errors, id, l.path("port").asInt() >= 9092 && l.path("port").asInt() != 9404 && l.path("port").asInt() != 9999,
                    "listener port " + l.path("port"));
            expect(errors, id, LISTENER_TYPES.contains(l.path("type").asText()), "listener type " + l.path("type"));
            expect(errors, id, l.path("tls").isBoolean(), "listener tls (required boolean)");
        }
        kafka.path("config").fields().forEachRemaining(e ->
                expect(errors, id, e.getValue().isValueNode(), "config " + e.getKey() + " must be a scalar"));
    }

    private static void storage(JsonNode storage, List<String> errors, String id) {
        String type = storage.path("type").asText();
        expect(errors, id, Set.of("ephemeral", "persistent-claim", "jbod").contains(type), "storage.type " + type);
        if (type.equals("jbod")) {
            expect(errors, id, storage.path("volumes").size() > 0, "jbod volumes");
            for (JsonNode v : storage.path("volumes")) {
                expect(errors, id, v.path("id").isInt(), "jbod volume id");
                expect(errors, id, !v.path("type").asText().equals("persistent-claim") || v.path("size").isTextual(), "volume size");
            }
        }
    }

    private static void clusterLabel(ObjectNode o, List<ObjectNode> all, List<String> errors, String id) {
        String cluster = o.path("metadata").path("labels").path("strimzi.io/cluster").asText();
        expect(errors, id, ManifestsTest.names(all, "Kafka").contains(cluster), "label strimzi.io/cluster '" + cluster + "' names no Kafka");
    }

    private static void expect(List<String> errors, String id, boolean ok, String what) {
        if (!ok) {
            errors.add(id + ": " + what);
        }
    }
}
