package io.suite.deploy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The operator kinds (Strimzi, CloudNativePG, Prometheus Operator): each object strictly against its
 * operator's CRD schema, vendored at the pinned release (CrdSchemas: unknown fields are errors), then what
 * no schema can say: that each object points at one that exists (topic to Kafka cluster, Database to
 * Cluster, ServiceMonitor to the four services) and that the KRaft cluster has a controller.
 */
final class CustomResources {
    static final CrdSchemas CRDS = CrdSchemas.vendored();

    private CustomResources() {}

    /** An object of one of the operators' API groups: it must then match a vendored CRD. */
    static boolean handles(JsonNode o) {
        return CRDS.ownsGroupOf(o);
    }

    static void check(ObjectNode o, List<ObjectNode> all, List<String> errors) {
        String kind = o.path("kind").asText();
        String id = ManifestsTest.id(o);
        if (!CRDS.knows(o)) {
            errors.add(
                    id + ": no pinned operator serves " + o.path("apiVersion").asText() + " " + kind);
            return;
        }
        CRDS.validate(o).forEach(e -> errors.add(id + ": " + e));
        JsonNode spec = o.path("spec");
        switch (kind) {
            case "Kafka" -> {
                // Strimzi v1 is KRaft only: some node pool of the cluster must hold the controller role
                String name = o.path("metadata").path("name").asText();
                boolean controller = ManifestsTest.kind(all, "KafkaNodePool").stream()
                        .filter(p -> name.equals(p.path("metadata")
                                .path("labels")
                                .path("strimzi.io/cluster")
                                .asText()))
                        .anyMatch(p -> p.path("spec").path("roles").toString().contains("\"controller\""));
                expect(errors, id, controller, "no KafkaNodePool of this cluster has the controller role");
            }
            case "KafkaNodePool" -> clusterLabel(o, all, errors, id);
            case "KafkaTopic" -> {
                clusterLabel(o, all, errors, id);
                int brokers = ManifestsTest.kind(all, "KafkaNodePool").stream()
                        .filter(p -> p.path("spec").path("roles").toString().contains("\"broker\""))
                        .mapToInt(p -> p.path("spec").path("replicas").asInt())
                        .sum();
                int replicas = spec.path("replicas").asInt();
                expect(
                        errors,
                        id,
                        replicas >= 1 && replicas <= brokers,
                        "spec.replicas " + replicas + " with " + brokers + " broker(s)");
            }
            case "Database" -> {
                String cluster = spec.path("cluster").path("name").asText();
                expect(
                        errors,
                        id,
                        ManifestsTest.names(all, "Cluster").contains(cluster),
                        "spec.cluster.name " + cluster + " is not rendered");
            }
            case "ServiceMonitor" -> {
                long selected = ManifestsTest.kind(all, "Service").stream()
                        .filter(s -> ManifestsTest.matches(
                                spec.path("selector").path("matchLabels"),
                                s.path("metadata").path("labels")))
                        .count();
                expect(
                        errors,
                        id,
                        selected == ManifestsTest.SERVICES.size(),
                        "selects " + selected + " Services, not the four services");
            }
            default -> {
                // the schema says it all (a PrometheusRule's alerts.yml is checked by promtool)
            }
        }
    }

    private static void clusterLabel(ObjectNode o, List<ObjectNode> all, List<String> errors, String id) {
        String cluster =
                o.path("metadata").path("labels").path("strimzi.io/cluster").asText();
        expect(
                errors,
                id,
                ManifestsTest.names(all, "Kafka").contains(cluster),
                "label strimzi.io/cluster '" + cluster + "' names no Kafka");
    }

    private static void expect(List<String> errors, String id, boolean ok, String what) {
        if (!ok) {
            errors.add(id + ": " + what);
        }
    }
}
