package io.suite.deploy;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders every overlay with kustomize (as `kubectl apply -k` would) and checks the result offline:
 * core kinds strictly against Kubernetes' own schema (the generated models of the official Java
 * client reject unknown fields, missing required fields and wrong types), operator kinds
 * (Strimzi, CloudNativePG, Prometheus Operator) strictly against their vendored CRD schemas, then what a cluster would only tell
 * at run time: references that resolve, selectors that select, hardened pods, prod sizes.
 */
class ManifestsTest {
    static final List<String> OVERLAYS = List.of("dev", "prod");
    static final List<String> SERVICES =
            List.of("lock-service", "posting-service", "maintenance-service", "backup-service");
    /**
     * One Secret per PostgreSQL login role (infra/postgres): the dev overlay renders them with local passwords;
     * prod renders none (no default credential), they are created before the first apply (k8s/README.md).
     */
    static final Map<String, String> DATABASE_SECRETS = Map.of(
            "suite-db-posting-owner",
            "posting_owner",
            "suite-db-posting-app",
            "posting_app",
            "suite-db-maintenance-owner",
            "maintenance_owner",
            "suite-db-maintenance-app",
            "maintenance_app",
            "suite-db-backup-owner",
            "backup_owner",
            "suite-db-backup-app",
            "backup_app",
            "suite-db-fencer",
            "suite_fencer");

    /** One Secret per realm client with a secret (key "secret"): dev renders the realm file's, prod none. */
    static final Map<String, String> OIDC_SECRETS = Map.of(
            "suite-oidc-posting-service", "posting-service",
            "suite-oidc-backup-service", "backup-service",
            "suite-oidc-lock-monitor", "lock-monitor");

    static final Pattern DNS_1123 = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    static final Map<String, List<ObjectNode>> rendered = new HashMap<>();

    @BeforeAll
    static void render() {
        List<String> kustomize = kustomizeCommand();
        for (String overlay : OVERLAYS) {
            List<String> cmd = new ArrayList<>(kustomize);
            cmd.add(Repo.path("k8s/overlays/" + overlay).toString());
            Command result = Command.run(Duration.ofSeconds(60), cmd);
            assertEquals(
                    0,
                    result.exitCode(),
                    "kustomize could not render k8s/overlays/" + overlay + ": " + result.describe());
            rendered.put(overlay, Repo.yamlDocuments(result.stdout()));
        }
        // prod with k8s/components/native, as that component says to use it
        List<String> cmd = new ArrayList<>(kustomize);
        cmd.add(Repo.path("deploy-tests/src/test/resources/kustomize/prod-native")
                .toString());
        Command result = Command.run(Duration.ofSeconds(60), cmd);
        assertEquals(
                0,
                result.exitCode(),
                "kustomize could not render prod with the native component: " + result.describe());
        rendered.put("prod-native", Repo.yamlDocuments(result.stdout()));
    }

    /** kubectl with kustomize v4+ (components, labels, replicas), or a standalone kustomize. */
    static List<String> kustomizeCommand() {
        var kubectl = Command.find("kubectl");
        if (kubectl.isPresent()) {
            Command version =
                    Command.run(Duration.ofSeconds(30), List.of(kubectl.get(), "version", "--client", "-o", "json"));
            Matcher m =
                    Pattern.compile("\"kustomizeVersion\"\\s*:\\s*\"v?(\\d+)").matcher(version.stdout());
            if (m.find() && Integer.parseInt(m.group(1)) >= 4) {
                return List.of(kubectl.get(), "kustomize");
            }
        }
        var standalone = Command.find("kustomize");
        if (standalone.isPresent()) {
            return List.of(standalone.get(), "build");
        }
        throw new AssertionError(
                "kubectl with kustomize v4 or newer (kubectl 1.21+), or a standalone kustomize, is needed "
                        + "to render k8s/overlays. "
                        + (kubectl.isPresent()
                                ? "The kubectl on PATH is too old (Debian 12's "
                                        + "kubernetes-client is 1.20, kustomize v2). "
                                : "None is on PATH. ")
                        + "Install kubectl 1.21+ from the Kubernetes apt repository or your cloud SDK, or put kustomize v5 on PATH.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyCoreObjectMatchesTheKubernetesSchema(String overlay) {
        List<String> errors = new ArrayList<>();
        int validated = 0;
        for (ObjectNode o : rendered.get(overlay)) {
            String apiVersion = o.path("apiVersion").asText();
            if (CustomResources.handles(o)) {
                continue;
            }
            String version = apiVersion.substring(apiVersion.lastIndexOf('/') + 1);
            String model = "io.kubernetes.client.openapi.models." + Character.toUpperCase(version.charAt(0))
                    + version.substring(1) + o.path("kind").asText();
            try {
                Class<?> type = Class.forName(model);
                JsonElement json = JsonParser.parseString(o.toString());
                type.getMethod("validateJsonElement", JsonElement.class).invoke(null, json);
                validated++;
            } catch (ClassNotFoundException e) {
                errors.add(id(o) + ": no Kubernetes schema for " + apiVersion + " "
                        + o.path("kind").asText());
            } catch (InvocationTargetException e) {
                String message = String.valueOf(e.getCause().getMessage());
                int json = message.indexOf(" JSON: ");
                errors.add(id(o) + ": " + (json > 0 ? message.substring(0, json) : message));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        assertTrue(
                errors.isEmpty(),
                overlay + ": objects that the API server would reject:\n" + String.join("\n", errors));
        assertTrue(validated >= 25, overlay + ": only " + validated + " core objects rendered");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyOperatorObjectMatchesItsPinnedCrdSchemaStrictly(String overlay) {
        List<String> errors = new ArrayList<>();
        Map<String, Integer> kinds = new HashMap<>();
        for (ObjectNode o : rendered.get(overlay)) {
            if (CustomResources.handles(o)) {
                CustomResources.check(o, rendered.get(overlay), errors);
                kinds.merge(o.path("kind").asText(), 1, Integer::sum);
            }
        }
        assertTrue(errors.isEmpty(), overlay + ":\n" + String.join("\n", errors));
        Map<String, Integer> expected = new HashMap<>(Map.of(
                "Kafka",
                1,
                "KafkaNodePool",
                1,
                "KafkaTopic",
                5,
                "KafkaUser",
                4,
                "Cluster",
                1,
                "Database",
                2,
                "ServiceMonitor",
                1,
                "PodMonitor",
                1,
                "PrometheusRule",
                1));
        if (overlay.equals("prod")) { // WAL archiving and base backups (PointInTimeRecoveryTest)
            expected.putAll(Map.of("ObjectStore", 1, "ScheduledBackup", 1));
        }
        assertEquals(expected, kinds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void namesAndNamespaceAreValid(String overlay) {
        String namespace = overlay.equals("prod") ? "suite" : "suite-dev";
        Set<String> seen = new HashSet<>();
        for (ObjectNode o : rendered.get(overlay)) {
            String name = o.path("metadata").path("name").asText();
            assertTrue(DNS_1123.matcher(name).matches() && name.length() <= 253, id(o) + ": invalid name");
            assertTrue(seen.add(o.path("kind").asText() + "/" + name), id(o) + " is rendered twice");
            if (!o.path("kind").asText().equals("Namespace")) {
                assertEquals(namespace, o.path("metadata").path("namespace").asText(), id(o) + ": namespace");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void referencesResolveAndSelectorsSelect(String overlay) {
        List<ObjectNode> objects = rendered.get(overlay);
        Set<String> configMaps = names(objects, "ConfigMap");
        Set<String> secrets = names(objects, "Secret");
        // Strimzi's User Operator writes a Secret named as each KafkaUser
        secrets.addAll(names(objects, "KafkaUser"));
        if (overlay.equals("prod")) {
            secrets.addAll(DATABASE_SECRETS.keySet());
            secrets.addAll(OIDC_SECRETS.keySet());
            secrets.add("suite-redis"); // Redis' ACL passwords (k8s/README.md)
        }
        Set<String> claims = names(objects, "PersistentVolumeClaim");
        Set<String> accounts = names(objects, "ServiceAccount");
        accounts.add("default");
        List<String> errors = new ArrayList<>();
        List<ObjectNode> workloads =
                objects.stream().filter(ManifestsTest::isWorkload).toList();
        for (ObjectNode w : workloads) {
            JsonNode pod = w.path("spec").path("template").path("spec");
            if (pod.has("serviceAccountName")
                    && !accounts.contains(pod.path("serviceAccountName").asText())) {
                errors.add(id(w) + ": no ServiceAccount "
                        + pod.path("serviceAccountName").asText());
            }
            for (JsonNode v : pod.path("volumes")) {
                check(errors, configMaps, v.path("configMap").path("name"), id(w) + " volume");
                check(errors, claims, v.path("persistentVolumeClaim").path("claimName"), id(w) + " volume");
                check(errors, secrets, v.path("secret").path("secretName"), id(w) + " volume");
            }
            for (JsonNode c : containers(pod)) {
                for (JsonNode from : c.path("envFrom")) {
                    check(errors, configMaps, from.path("configMapRef").path("name"), id(w) + " envFrom");
                    check(errors, secrets, from.path("secretRef").path("name"), id(w) + " envFrom");
                }
                for (JsonNode env : c.path("env")) {
                    check(
                            errors,
                            configMaps,
                            env.path("valueFrom").path("configMapKeyRef").path("name"),
                            id(w) + " env");
                    check(
                            errors,
                            secrets,
                            env.path("valueFrom").path("secretKeyRef").path("name"),
                            id(w) + " env");
                }
            }
            JsonNode selector = w.path("spec").path("selector").path("matchLabels");
            if (!w.path("kind").asText().equals("Job")
                    && !matches(
                            selector,
                            w.path("spec").path("template").path("metadata").path("labels"))) {
                errors.add(id(w) + ": its selector does not select its own pods");
            }
        }
        for (ObjectNode o : objects) {
            String kind = o.path("kind").asText();
            JsonNode selector = switch (kind) {
                case "Service" -> o.path("spec").path("selector");
                case "PodDisruptionBudget" -> o.path("spec").path("selector").path("matchLabels");
                case "NetworkPolicy" -> o.path("spec").path("podSelector").path("matchLabels");
                default -> null;
            };
            if (selector == null || selector.isEmpty() || operatorManaged(selector)) {
                continue;
            }
            List<ObjectNode> selected = workloads.stream()
                    .filter(w -> matches(
                            selector,
                            w.path("spec").path("template").path("metadata").path("labels")))
                    .toList();
            if (selected.isEmpty()) {
                errors.add(id(o) + ": selects no pods (" + selector + ")");
            }
            if (kind.equals("Service")) {
                for (JsonNode port : o.path("spec").path("ports")) {
                    JsonNode target = port.path("targetPort");
                    if (target.isTextual() && selected.stream().noneMatch(w -> hasPort(w, target.asText()))) {
                        errors.add(id(o) + ": no selected container has a port named " + target.asText());
                    }
                }
            }
        }
        JsonNode config = find(objects, "ConfigMap", "suite-config").path("data");
        for (String key : List.of(
                "QUARKUS_REDIS_HOSTS",
                "KAFKA_BOOTSTRAP_SERVERS",
                "DB_HOST",
                "QUARKUS_REST_CLIENT_LOCK_SERVICE_URL",
                "QUARKUS_REST_CLIENT_MAINTENANCE_SERVICE_URL",
                "QUARKUS_REST_CLIENT_POSTING_SERVICE_URL")) {
            if (!config.has(key)) {
                errors.add("ConfigMap/suite-config lacks " + key);
            }
        }
        assertTrue(errors.isEmpty(), overlay + ":\n" + String.join("\n", errors));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyPodIsHardenedProbedAndSized(String overlay) {
        List<String> errors = new ArrayList<>();
        for (ObjectNode w : rendered.get(overlay)) {
            if (!isWorkload(w)) {
                continue;
            }
            JsonNode pod = w.path("spec").path("template").path("spec");
            JsonNode podSecurity = pod.path("securityContext");
            if (!podSecurity.path("runAsNonRoot").asBoolean()) {
                errors.add(id(w) + ": pod securityContext.runAsNonRoot is not true");
            }
            if (!podSecurity.path("seccompProfile").path("type").asText().equals("RuntimeDefault")) {
                errors.add(id(w) + ": no RuntimeDefault seccomp profile");
            }
            for (JsonNode c : containers(pod)) {
                String where = id(w) + " container " + c.path("name").asText();
                JsonNode sc = c.path("securityContext");
                if (!sc.path("readOnlyRootFilesystem").asBoolean()) {
                    errors.add(where + ": readOnlyRootFilesystem is not true");
                }
                if (!sc.path("allowPrivilegeEscalation").isBoolean()
                        || sc.path("allowPrivilegeEscalation").asBoolean()) {
                    errors.add(where + ": allowPrivilegeEscalation is not false");
                }
                if (!sc.path("capabilities").path("drop").toString().contains("\"ALL\"")) {
                    errors.add(where + ": does not drop ALL capabilities");
                }
                JsonNode resources = c.path("resources");
                for (String path : List.of("requests/cpu", "requests/memory", "limits/memory")) {
                    if (resources.at("/" + path).isMissingNode()) {
                        errors.add(where + ": no resources." + path.replace('/', '.'));
                    }
                }
            }
            if (w.path("kind").asText().equals("Deployment")
                    && SERVICES.contains(w.path("metadata").path("name").asText())) {
                JsonNode c = pod.path("containers").get(0);
                Map<String, String> probes = Map.of(
                        "livenessProbe",
                        "/q/health/live",
                        "readinessProbe",
                        "/q/health/ready",
                        "startupProbe",
                        "/q/health/started");
                probes.forEach((probe, path) -> {
                    if (!c.path(probe).path("httpGet").path("path").asText().equals(path)) {
                        errors.add(id(w) + ": " + probe + " is not an HTTP GET of " + path);
                    }
                });
                if (!c.path("resources").at("/limits/cpu").isTextual()) {
                    errors.add(id(w) + ": no CPU limit");
                }
            }
        }
        assertTrue(errors.isEmpty(), overlay + ":\n" + String.join("\n", errors));
    }

    /**
     * The namespaces enforce the `restricted` Pod Security Standard and Strimzi's default pod security provider
     * only meets `baseline`: the templates of every pod Strimzi creates (brokers/controllers, their init
     * container, the entity operator) must carry the restricted security contexts themselves.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void podsThatStrimziCreatesFitTheRestrictedLevel(String overlay) {
        List<String> errors = new ArrayList<>();
        JsonNode kafka = find(rendered.get(overlay), "Kafka", "suite-kafka").path("spec");
        Map<String, JsonNode> pods = Map.of(
                "kafka",
                kafka.path("kafka").path("template"),
                "entityOperator",
                kafka.path("entityOperator").path("template"));
        Map<String, List<String>> containers = Map.of(
                "kafka",
                List.of("kafkaContainer", "initContainer"),
                "entityOperator",
                List.of("topicOperatorContainer", "userOperatorContainer"));
        pods.forEach((what, template) -> {
            JsonNode pod = template.path("pod").path("securityContext");
            if (!pod.path("runAsNonRoot").asBoolean()
                    || !pod.path("seccompProfile").path("type").asText().equals("RuntimeDefault")) {
                errors.add(what + ".template.pod.securityContext: runAsNonRoot and a RuntimeDefault seccomp profile");
            }
            for (String container : containers.get(what)) {
                restricted(template.path(container).path("securityContext"), what + ".template." + container, errors);
            }
        });
        for (ObjectNode pool : kind(rendered.get(overlay), "KafkaNodePool")) {
            // a node pool's own template would replace the Kafka's
            pool.path("spec").path("template").fields().forEachRemaining(e -> {
                if (e.getKey().endsWith("Container")) {
                    restricted(e.getValue().path("securityContext"), id(pool) + " template." + e.getKey(), errors);
                }
            });
        }
        assertTrue(
                errors.isEmpty(),
                overlay + ": Strimzi's pods would be refused by the restricted level:\n" + String.join("\n", errors));
    }

    private static void restricted(JsonNode sc, String where, List<String> errors) {
        if (!sc.path("allowPrivilegeEscalation").isBoolean()
                || sc.path("allowPrivilegeEscalation").asBoolean()) {
            errors.add(where + ": allowPrivilegeEscalation is not false");
        }
        if (!sc.path("capabilities").path("drop").toString().contains("\"ALL\"")) {
            errors.add(where + ": does not drop ALL capabilities");
        }
        if (!sc.path("runAsNonRoot").asBoolean()) {
            errors.add(where + ": runAsNonRoot is not true");
        }
        if (!sc.path("seccompProfile").path("type").asText().equals("RuntimeDefault")) {
            errors.add(where + ": no RuntimeDefault seccomp profile");
        }
    }

    /** The native component swaps every service's image for its native one and gives it smaller requests, nothing else. */
    @Test
    void theNativeComponentRunsNativeImagesWithSmallerRequests() {
        List<ObjectNode> jvm = rendered.get("prod");
        List<ObjectNode> nativ = rendered.get("prod-native");
        assertEquals(jvm.size(), nativ.size(), "the native component adds or removes objects");
        for (String service : SERVICES) {
            JsonNode n = find(nativ, "Deployment", service).at("/spec/template/spec/containers/0");
            JsonNode j = find(jvm, "Deployment", service).at("/spec/template/spec/containers/0");
            assertEquals("suite/" + service + "-native:1.0.0", n.path("image").asText(), service);
            assertTrue(
                    bytes(n.at("/resources/requests/memory").asText())
                            < bytes(j.at("/resources/requests/memory").asText()),
                    service + ": native memory request " + n.at("/resources/requests/memory")
                            + " is not below the JVM's");
            assertTrue(
                    bytes(n.at("/resources/limits/memory").asText())
                            >= bytes(n.at("/resources/requests/memory").asText()),
                    service + ": limit below request");
            assertEquals(
                    j.path("securityContext"),
                    n.path("securityContext"),
                    service + ": the native image runs as hardened");
        }
    }

    /**
     * With more than one Redis pod only one is the master: a Service that balances over them would send some
     * connections (and so some lock writes) to replicas. Only headless Services (each pod by name) may select them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void noServiceSpreadsRedisTrafficOverReplicas(String overlay) {
        List<ObjectNode> objects = rendered.get(overlay);
        JsonNode redisPods = find(objects, "StatefulSet", "redis").at("/spec/template/metadata/labels");
        if (find(objects, "StatefulSet", "redis").path("spec").path("replicas").asInt(1) <= 1) {
            return;
        }
        for (ObjectNode service : kind(objects, "Service")) {
            JsonNode spec = service.path("spec");
            boolean redisPort = spec.path("ports").findValuesAsText("port").contains("6379");
            if (redisPort && matches(spec.path("selector"), redisPods)) {
                assertEquals(
                        "None",
                        spec.path("clusterIP").asText(),
                        id(service) + " balances Redis connections over master and replicas");
            }
        }
        assertEquals(
                "sentinel",
                find(objects, "ConfigMap", "suite-config")
                        .path("data")
                        .path("QUARKUS_REDIS_CLIENT_TYPE")
                        .asText(),
                "lock-service must ask the Sentinels for the master");
    }

    /** Kubernetes memory quantities in bytes (Mi, Gi). */
    static long bytes(String quantity) {
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) << 30;
        }
        if (quantity.endsWith("Mi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) << 20;
        }
        return Long.parseLong(quantity);
    }

    @Test
    void prodReplicatesTheWritePathsAndTheInfrastructure() {
        List<ObjectNode> prod = rendered.get("prod");
        for (String service : List.of("lock-service", "posting-service")) {
            int replicas = find(prod, "Deployment", service)
                    .path("spec")
                    .path("replicas")
                    .asInt();
            assertTrue(replicas >= 2, service + " has " + replicas + " replica(s) in prod");
            assertTrue(find(prod, "PodDisruptionBudget", service).path("spec").has("maxUnavailable"), service + " PDB");
        }
        assertTrue(
                find(prod, "KafkaNodePool", "dual-role")
                                .path("spec")
                                .path("replicas")
                                .asInt()
                        >= 3,
                "Kafka nodes");
        assertTrue(
                find(prod, "Cluster", "suite-db").path("spec").path("instances").asInt() >= 3, "PostgreSQL instances");
        assertTrue(
                find(prod, "StatefulSet", "redis").path("spec").path("replicas").asInt() >= 3, "Redis with Sentinel");
        assertEquals(
                "sentinel",
                find(prod, "ConfigMap", "suite-config")
                        .path("data")
                        .path("QUARKUS_REDIS_CLIENT_TYPE")
                        .asText());
        for (ObjectNode topic : kind(prod, "KafkaTopic")) {
            assertEquals(3, topic.path("spec").path("replicas").asInt(), id(topic) + " replicas");
        }
        assertEquals(
                1,
                find(rendered.get("dev"), "Deployment", "lock-service")
                        .path("spec")
                        .path("replicas")
                        .asInt());
    }

    @Test
    void prodShipsNoDatabaseCredentialAndDevHasOnePerRole() {
        assertEquals(
                List.of(),
                kind(rendered.get("prod"), "Secret").stream().map(NAME).toList(),
                "prod renders Secrets");
        for (var e : DATABASE_SECRETS.entrySet()) {
            ObjectNode secret = find(rendered.get("dev"), "Secret", e.getKey());
            assertEquals(
                    "kubernetes.io/basic-auth",
                    secret.path("type").asText(),
                    e.getKey() + ": CloudNativePG reads only basic-auth");
            for (String key : List.of("username", "password")) {
                assertEquals(
                        e.getValue(),
                        new String(Base64.getDecoder()
                                .decode(secret.path("data").path(key).asText())),
                        e.getKey() + " " + key);
            }
        }
    }

    /**
     * Tokens: dev's services trust the in-cluster Keycloak and hold the realm file's client secrets; prod trusts
     * an external provider over https and ships no secret of its own (prodShipsNoDatabaseCredential... above).
     */
    @Test
    void servicesTrustTheirOverlaysProviderWithTheRealmsClientSecrets() {
        assertEquals(
                "http://keycloak:8080/realms/suite",
                find(rendered.get("dev"), "ConfigMap", "suite-config")
                        .path("data")
                        .path("QUARKUS_OIDC_AUTH_SERVER_URL")
                        .asText());
        String prod = find(rendered.get("prod"), "ConfigMap", "suite-config")
                .path("data")
                .path("QUARKUS_OIDC_AUTH_SERVER_URL")
                .asText();
        assertTrue(prod.startsWith("https://") && !prod.contains("keycloak:8080"), "prod's issuer: " + prod);
        JsonNode realm = Repo.json(Repo.path("infra/keycloak/realm-suite.json"));
        for (var e : OIDC_SECRETS.entrySet()) {
            String realmSecret = "";
            for (JsonNode client : realm.path("clients")) {
                if (client.path("clientId").asText().equals(e.getValue())) {
                    realmSecret = client.path("secret").asText();
                }
            }
            ObjectNode secret = find(rendered.get("dev"), "Secret", e.getKey());
            assertEquals(
                    realmSecret,
                    new String(Base64.getDecoder()
                            .decode(secret.path("data").path("secret").asText())),
                    e.getKey());
        }
        for (String overlay : OVERLAYS) {
            assertEquals(
                    "suite-oidc-posting-service/secret",
                    secretEnv(find(rendered.get(overlay), "Deployment", "posting-service"))
                            .get("QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET"));
            assertEquals(
                    "suite-oidc-backup-service/secret",
                    secretEnv(find(rendered.get(overlay), "Deployment", "backup-service"))
                            .get("QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET"));
            assertEquals(
                    "suite-oidc-lock-monitor/secret",
                    secretEnv(find(rendered.get(overlay), "Deployment", "lock-service"))
                            .get("QUARKUS_OIDC_MONITOR_CREDENTIALS_SECRET"));
        }
    }

    /**
     * Kafka (DESIGN.md "Security"): every client authenticates (SCRAM) as its own KafkaUser, whose ACLs are all
     * it may do; only maintenance-service may write maintenance-state.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void eachServiceIsItsOwnKafkaUser_andOnlyMaintenanceWritesTheState(String overlay) {
        List<ObjectNode> objects = rendered.get(overlay);
        JsonNode kafka = find(objects, "Kafka", "suite-kafka").path("spec").path("kafka");
        kafka.path("listeners")
                .forEach(l -> assertEquals(
                        "scram-sha-512",
                        l.path("authentication").path("type").asText(),
                        "listener " + l.path("name").asText()));
        assertEquals("simple", kafka.path("authorization").path("type").asText());
        Set<String> stateWriters = new TreeSet<>();
        for (ObjectNode user : kind(objects, "KafkaUser")) {
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                boolean write = false;
                for (JsonNode op : acl.path("operations")) {
                    write |= List.of("Write", "All").contains(op.asText());
                }
                JsonNode resource = acl.path("resource");
                if (write
                        && resource.path("type").asText().equals("topic")
                        && (resource.path("name").asText().equals("maintenance-state")
                                || resource.path("name").asText().equals("*")
                                || resource.path("patternType").asText().equals("prefix"))) {
                    stateWriters.add(NAME.apply(user));
                }
            }
        }
        assertEquals(Set.of("maintenance-service"), stateWriters, "who may write maintenance-state");
        assertEquals(
                "SASL_PLAINTEXT",
                find(objects, "ConfigMap", "suite-config")
                        .path("data")
                        .path("KAFKA_SECURITY_PROTOCOL")
                        .asText());
        for (String service : SERVICES) {
            assertEquals(
                    service + "/sasl.jaas.config",
                    secretEnv(find(objects, "Deployment", service)).get("KAFKA_SASL_JAAS_CONFIG"),
                    service + " is KafkaUser " + service);
            find(objects, "KafkaUser", service);
        }
    }

    /** Each service serves as its app role and migrates as its owner; the fence's role is maintenance-service's. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void eachServiceConnectsAsItsOwnDatabaseRoles(String overlay) {
        List<ObjectNode> objects = rendered.get(overlay);
        Map<String, String> databases =
                Map.of("posting-service", "posting", "maintenance-service", "maintenance", "backup-service", "backup");
        databases.forEach((service, db) -> {
            Map<String, String> env = secretEnv(find(objects, "Deployment", service));
            assertEquals("suite-db-" + db + "-app/username", env.get("DB_USER"), service);
            assertEquals("suite-db-" + db + "-app/password", env.get("DB_PASSWORD"), service);
            assertEquals("suite-db-" + db + "-owner/username", env.get("DB_MIGRATION_USER"), service);
            assertEquals("suite-db-" + db + "-owner/password", env.get("DB_MIGRATION_PASSWORD"), service);
            assertEquals(
                    service.equals("maintenance-service") ? "suite-db-fencer/username" : null,
                    env.get("FENCE_DB_USER"),
                    service);
        });
        Map<String, String> lock = secretEnv(find(objects, "Deployment", "lock-service"));
        assertTrue(lock.keySet().stream().noneMatch(k -> k.startsWith("DB_")), "lock-service has no database: " + lock);

        JsonNode cluster = find(objects, "Cluster", "suite-db").path("spec");
        Map<String, JsonNode> roles = new HashMap<>();
        cluster.path("managed")
                .path("roles")
                .forEach(r -> roles.put(r.path("name").asText(), r));
        Set<String> logins = new HashSet<>(DATABASE_SECRETS.values());
        logins.remove("posting_app");
        for (String role : logins) {
            assertTrue(roles.containsKey(role), "managed role " + role);
            assertTrue(roles.get(role).path("login").asBoolean(), role + " logs in");
            String secret = roles.get(role).path("passwordSecret").path("name").asText();
            assertEquals(role, DATABASE_SECRETS.get(secret), role + "'s passwordSecret " + secret);
        }
        // CloudNativePG would bring posting_app's memberships back to a spec, and so lift the fence
        assertTrue(!roles.containsKey("posting_app"), "posting_app must not be a managed role");
        assertEquals(
                "suite-db-posting-app/password",
                secretEnv(find(objects, "Job", "suite-db-setup")).get("POSTING_APP_PASSWORD"));
        assertTrue(!roles.get("posting_writer").path("login").asBoolean(), "posting_writer cannot log in");
        assertTrue(!roles.get("backup_restore").path("inherit").asBoolean(true), "backup_restore is NOINHERIT");
        assertEquals(
                "[\"pg_signal_backend\"]",
                roles.get("suite_fencer").path("inRoles").toString());
        assertEquals(
                "posting_owner",
                cluster.path("bootstrap").path("initdb").path("owner").asText());
        Map<String, String> owners = new HashMap<>();
        kind(objects, "Database")
                .forEach(d -> owners.put(
                        d.path("spec").path("name").asText(),
                        d.path("spec").path("owner").asText()));
        assertEquals(Map.of("maintenance", "maintenance_owner", "backup", "backup_owner"), owners);
    }

    /**
     * Verification restores each dump into a scratch database that backup-service creates and drops, and a restore
     * runs as the database's owner (pg_restore --role): the role backup-service connects as (its DB_USER Secret's
     * username) must be a CloudNativePG managed role with createdb, and reach posting_owner through a NOINHERIT role.
     * CloudNativePG creates roles without CREATEDB unless told, so without this every backup would fail on Kubernetes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void backupServiceRoleMayCreateScratchDatabasesAndRestoreAsTheOwner(String overlay) {
        List<ObjectNode> objects = rendered.get(overlay);
        String secret = secretEnv(find(objects, "Deployment", "backup-service"))
                .get("DB_USER")
                .split("/")[0];
        String role = DATABASE_SECRETS.get(secret);
        Map<String, JsonNode> roles = new HashMap<>();
        find(objects, "Cluster", "suite-db")
                .path("spec")
                .path("managed")
                .path("roles")
                .forEach(r -> roles.put(r.path("name").asText(), r));
        JsonNode backup = roles.get(role);
        assertTrue(backup != null, role + " (backup-service's DB_USER) is not a managed role");
        assertTrue(
                backup.path("createdb").asBoolean(),
                role + " has no createdb: verification cannot create its scratch database");
        assertTrue(backup.path("login").asBoolean(), role + " cannot log in");
        List<String> via = new ArrayList<>();
        backup.path("inRoles").forEach(r -> via.add(r.asText()));
        assertTrue(
                via.stream()
                        .anyMatch(r -> roles.containsKey(r)
                                && !roles.get(r).path("inherit").asBoolean(true)
                                && roles.get(r).path("inRoles").toString().contains("\"posting_owner\"")),
                role + " cannot SET ROLE posting_owner through a NOINHERIT role: " + via);
    }

    /** Environment variables of a workload's first container that come from Secrets: name → secret/key. */
    static Map<String, String> secretEnv(ObjectNode workload) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : workload.path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("env")) {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (!ref.isMissingNode()) {
                env.put(
                        e.path("name").asText(),
                        ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        }
        return env;
    }

    @Test
    void dashboardsAreConfigMapsOfTheSameFiles() throws Exception {
        for (String overlay : OVERLAYS) {
            for (String name : Repo.DASHBOARDS) {
                ObjectNode cm = find(rendered.get(overlay), "ConfigMap", "grafana-dashboard-" + name);
                assertEquals(
                        "1",
                        cm.path("metadata")
                                .path("labels")
                                .path("grafana_dashboard")
                                .asText());
                String file = Files.readString(Repo.path("observability/grafana/dashboards/" + name + ".json"));
                assertEquals(file, cm.path("data").path(name + ".json").asText(), overlay + ": dashboard " + name);
            }
        }
    }

    /** dev runs Keycloak with the realm file ./suite imports; prod names its own OIDC provider and ships no Keycloak. */
    @Test
    void devServesTheRealmFileOfTheRepositoryAndProdShipsNoKeycloak() throws Exception {
        List<ObjectNode> realms = kind(rendered.get("dev"), "ConfigMap").stream()
                .filter(cm -> NAME.apply(cm).startsWith("keycloak-realm"))
                .toList();
        assertEquals(1, realms.size(), "dev: one keycloak-realm ConfigMap");
        assertEquals(
                Files.readString(Repo.path("infra/keycloak/realm-suite.json")),
                realms.get(0).path("data").path("realm-suite.json").asText(),
                "dev's realm differs from infra/keycloak");
        assertEquals(
                1,
                find(rendered.get("dev"), "Deployment", "keycloak")
                        .path("spec")
                        .path("replicas")
                        .asInt());
        assertTrue(
                rendered.get("prod").stream().noneMatch(o -> NAME.apply(o).startsWith("keycloak")),
                "prod renders a Keycloak object");
    }

    @Test
    void thePrometheusRuleCarriesTheAlertRulesFile() {
        JsonNode file =
                Repo.yaml(Repo.path("observability/prometheus/alerts.yml")).path("groups");
        for (String overlay : OVERLAYS) {
            JsonNode rule = find(rendered.get(overlay), "PrometheusRule", "suite-alerts")
                    .path("spec")
                    .path("groups");
            assertEquals(
                    file,
                    rule,
                    overlay
                            + ": k8s/base/monitoring/prometheusrule.yaml differs from observability/prometheus/alerts.yml");
        }
    }

    /**
     * Health and metrics are on each service's management interface (quarkus.management.port of its
     * application.properties), not on the API's port: the probes and the ServiceMonitor use that port, the Service
     * names it for the ServiceMonitor, and only the monitoring namespace may reach it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void probesAndScrapesUseTheManagementPort(String overlay) throws Exception {
        List<String> errors = new ArrayList<>();
        for (String service : SERVICES) {
            int port = managementPort(service);
            ObjectNode deployment = find(overlay, "Deployment", service);
            JsonNode c = deployment
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0);
            boolean declared = false;
            for (JsonNode p : c.path("ports")) {
                declared |= p.path("name").asText().equals("management")
                        && p.path("containerPort").asInt() == port;
            }
            if (!declared) {
                errors.add(service + ": no container port \"management\" = " + port + " (its quarkus.management.port)");
            }
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                if (!c.path(probe).path("httpGet").path("port").asText().equals("management")) {
                    errors.add(service + ": " + probe + " is not on port management");
                }
            }
            boolean named = false;
            for (JsonNode p : find(overlay, "Service", service).path("spec").path("ports")) {
                named |= p.path("name").asText().equals("management")
                        && p.path("targetPort").asText().equals("management");
            }
            if (!named) {
                errors.add(service + ": its Service has no port \"management\" for the ServiceMonitor");
            }
        }
        for (JsonNode endpoint :
                find(overlay, "ServiceMonitor", "suite-services").path("spec").path("endpoints")) {
            if (!endpoint.path("port").asText().equals("management")
                    || !endpoint.path("path").asText().equals("/q/metrics")) {
                errors.add("ServiceMonitor suite-services scrapes " + endpoint + ", not /q/metrics on port management");
            }
        }
        JsonNode policy = find(overlay, "NetworkPolicy", "suite-services-management-ingress")
                .path("spec");
        if (!policy.path("ingress").toString().contains("\"suite.io/monitoring\":\"true\"")
                || !policy.path("ingress").findValuesAsText("port").contains("management")) {
            errors.add(
                    "NetworkPolicy suite-services-management-ingress does not let the monitoring namespace in on port"
                            + " management: " + policy);
        }
        assertTrue(errors.isEmpty(), overlay + ":\n" + String.join("\n", errors));
    }

    /** A service's quarkus.management.port, from its application.properties. */
    static int managementPort(String service) throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(Repo.path(service + "/src/main/resources/application.properties"))) {
            p.load(in);
        }
        return Integer.parseInt(p.getProperty("quarkus.management.port"));
    }

    static ObjectNode find(String overlay, String kind, String name) {
        return rendered.get(overlay).stream()
                .filter(o -> o.path("kind").asText().equals(kind)
                        && o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + name));
    }

    // ---- helpers ----

    static boolean isWorkload(JsonNode o) {
        return Set.of("Deployment", "StatefulSet", "DaemonSet", "Job")
                .contains(o.path("kind").asText());
    }

    static List<JsonNode> containers(JsonNode pod) {
        List<JsonNode> all = new ArrayList<>();
        pod.path("initContainers").forEach(all::add);
        pod.path("containers").forEach(all::add);
        return all;
    }

    static boolean hasPort(JsonNode workload, String name) {
        return containers(workload.path("spec").path("template").path("spec")).stream()
                .anyMatch(c -> c.path("ports").findValuesAsText("name").contains(name));
    }

    /** Pods of operators (CloudNativePG, Strimzi) carry these labels; no manifest here defines them. */
    static boolean operatorManaged(JsonNode selector) {
        for (var it = selector.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.startsWith("cnpg.io/") || key.startsWith("strimzi.io/")) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(JsonNode selector, JsonNode labels) {
        if (selector.isEmpty()) {
            return false;
        }
        for (var it = selector.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!labels.path(e.getKey()).asText("\u0000").equals(e.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    static void check(List<String> errors, Set<String> existing, JsonNode name, String where) {
        if (!name.isMissingNode() && !existing.contains(name.asText())) {
            errors.add(where + " refers to " + name.asText() + ", which is not rendered");
        }
    }

    static Set<String> names(List<ObjectNode> objects, String kind) {
        Set<String> names = new HashSet<>();
        kind(objects, kind)
                .forEach(o -> names.add(o.path("metadata").path("name").asText()));
        return names;
    }

    static List<ObjectNode> kind(List<ObjectNode> objects, String kind) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .toList();
    }

    static ObjectNode find(List<ObjectNode> objects, String kind, String name) {
        return kind(objects, kind).stream()
                .filter(o -> o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseGet(() -> fail(kind + "/" + name + " is not rendered"));
    }

    static String id(JsonNode o) {
        return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
    }

    static final Function<JsonNode, String> NAME =
            o -> o.path("metadata").path("name").asText();
}
