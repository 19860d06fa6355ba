package io.suite.deploy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Http;
import io.suite.testing.MaintenanceStates;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four services as real processes (their built jars, on the real Redis, PostgreSQL and Kafka,
 * with this run's own Kafka topics and database schemas), scraped by a real Prometheus, and the
 * kubectl plugin talking to maintenance-service and backup-service.
 */
class RunningSuiteIT {
    static final String RUN = Unique.name("deploy");
    static final String SCHEMA = RUN.replace('-', '_');
    static final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    static final HttpClient http = HttpClient.newHttpClient();
    static Process prometheus;
    static ShippedRedis redis;
    static String prometheusUrl;

    @BeforeAll
    static void startSuite() throws IOException {
        // maintenance-service publishes its state on start; the write paths get a long lease
        // (MaintenanceStates.LONG_LEASE) until it also confirms it every second
        Map<String, String> topics = Map.of(
                "write-guard.state-topic", "mstate-" + RUN,
                "write-guard.status-topic", "wps-" + RUN,
                "write-guard.state-max-age", MaintenanceStates.LONG_LEASE,
                "maintenance.state-topic", "mstate-" + RUN,
                "maintenance.status-topic", "wps-" + RUN);
        // the two that need no other service start side by side (each start waits for readiness)
        // lock-service on Redis as prod ships it (ACL users, a Sentinel), as prod configures it
        redis = ShippedRedis.start(RUN);
        Map<String, String> redisAsInProd = redis.lockServiceConfig(ShippedRedis.prodSuiteConfig());
        CompletableFuture<ServiceProcess> lock = CompletableFuture.supplyAsync(() -> ServiceProcess.start(
                "lock-service", with(topics, redisAsInProd, Map.of("lock.key-prefix", RUN + ":"))));
        CompletableFuture<ServiceProcess> maintenance = CompletableFuture.supplyAsync(
                () -> ServiceProcess.start("maintenance-service", with(topics, database("maintenance_test"))));
        services.put("lock-service", lock.join());
        services.put("maintenance-service", maintenance.join());
        services.put(
                "posting-service",
                ServiceProcess.start(
                        "posting-service",
                        with(
                                topics,
                                database("posting_test"),
                                Map.of(
                                        "quarkus.rest-client.lock-service.url",
                                        services.get("lock-service").url(),
                                        "mp.messaging.outgoing.document-events.topic",
                                        "docs-" + RUN))));
        services.put(
                "backup-service",
                ServiceProcess.start(
                        "backup-service",
                        with(
                                topics,
                                database("backup_test"),
                                Map.of(
                                        "quarkus.rest-client.maintenance-service.url",
                                                services.get("maintenance-service")
                                                        .url(),
                                        "quarkus.rest-client.posting-service.url",
                                                services.get("posting-service").url(),
                                        "backup.directory",
                                                Repo.path("deploy-tests/target/backups-" + RUN)
                                                        .toString(),
                                        "mp.messaging.outgoing.backup-events.topic", "bevents-" + RUN))));
        startPrometheus();
    }

    /** This run's own schema in the shared test database: Flyway creates it, search_path points at it. */
    static Map<String, String> database(String db) {
        String host = "127.0.0.1:5432/" + db;
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://" + host + "?search_path=" + SCHEMA,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + host + "?currentSchema=" + SCHEMA,
                "quarkus.flyway.schemas", SCHEMA);
    }

    @SafeVarargs
    static Map<String, String> with(Map<String, String>... parts) {
        Map<String, String> all = new HashMap<>();
        for (Map<String, String> p : parts) {
            all.putAll(p);
        }
        return all;
    }

    static void startPrometheus() throws IOException {
        String binary = Command.require("prometheus", PrometheusRulesTest.INSTALL);
        Path dir = Repo.path("deploy-tests/target/prometheus-" + RUN);
        Files.createDirectories(dir);
        StringBuilder targets = new StringBuilder();
        services.values()
                .forEach(s -> targets.append("          - 127.0.0.1:")
                        .append(s.managementPort())
                        .append('\n'));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: suite
                    metrics_path: /q/metrics
                    static_configs:
                      - targets:
                %s""".formatted(Repo.path("observability/prometheus/alerts.yml"), targets));
        int port = freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        prometheus = new ProcessBuilder(
                        binary,
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--storage.tsdb.retention.time=1h")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        // until it listens, a connection is refused: that is the waiting, not a failure
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(ConnectException.class)
                .until(() -> {
                    assertTrue(prometheus.isAlive(), "Prometheus exited; see " + dir.resolve("prometheus.log"));
                    return get(prometheusUrl + "/-/ready").statusCode() == 200;
                });
    }

    @AfterAll
    static void stopSuite() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        services.values().forEach(ServiceProcess::close);
        if (redis != null) {
            redis.close();
        }
        dropSchemas();
    }

    /** The schemas of this run are of no use to anyone afterwards (best effort: psql may be absent). */
    static void dropSchemas() {
        Command.find("psql").ifPresent(psql -> {
            for (String db : List.of("posting_test", "maintenance_test", "backup_test")) {
                Command.run(
                        Duration.ofSeconds(30),
                        List.of(
                                "env",
                                "PGPASSWORD=suite",
                                psql,
                                "-h",
                                "127.0.0.1",
                                "-U",
                                "suite",
                                "-d",
                                db,
                                "-qc",
                                "drop schema if exists " + SCHEMA + " cascade"));
            }
        });
    }

    // ---- Redis as shipped: ACL users only, and lock-service works through them and the Sentinel ----

    @Test
    void redisTakesOnlyItsAclUsers_andLockServiceLocksThroughThemAndTheSentinel() {
        String lockPassword = redis.passwords.get("REDIS_LOCK_SERVICE_PASSWORD");
        assertTrue(redis.cli(redis.port, null, null, "ping").contains("NOAUTH"), "no password, no Redis");
        assertTrue(redis.cli(redis.port, "health", "-", "ping").contains("PONG"), "probes ping freely");
        assertTrue(redis.cli(redis.port, "health", "-", "get", "x").contains("NOPERM"), "probes do nothing else");
        assertTrue(redis.cli(redis.port, "default", "guessed", "ping").contains("WRONGPASS"), "a wrong password");
        for (String[] admin : List.of(
                new String[] {"flushall"},
                new String[] {"config", "get", "*"},
                new String[] {"keys", "*"},
                new String[] {"acl", "list"})) {
            assertTrue(
                    redis.cli(redis.port, "default", lockPassword, admin).contains("NOPERM"),
                    "lock-service may not " + String.join(" ", admin));
        }
        assertTrue(
                redis.cli(redis.sentinelPort, null, null, "sentinel", "masters").contains("NOAUTH"),
                "the Sentinels want the password too");
        // the Sentinel logs in to the master as its own ACL user: it sees a healthy master, not a down one
        await("the Sentinel sees the master")
                .atMost(Duration.ofSeconds(30))
                .until(() -> redis.cli(redis.sentinelPort, "default", lockPassword, "sentinel", "master", "suite")
                                .lines()
                                .toList()
                                .indexOf("master")
                        > 0);
        // lock-service found the master through the Sentinel and locks on it with its password
        String lock = services.get("lock-service").url();
        Http.Answer begun = Http.post(
                lock + "/v1/lock-transactions",
                "{\"owner\":\"deploy\",\"leaseMs\":30000,\"items\":[{\"space\":\"Stock\",\"mode\":\"EXCLUSIVE\","
                        + "\"fields\":{\"warehouse\":\"" + RUN + "\"}}]}");
        assertEquals(201, begun.status(), begun.body());
        assertTrue(
                redis.cli(redis.port, "default", lockPassword, "dbsize").strip().matches("[1-9][0-9]*"),
                "the lock is in the shipped Redis");
    }

    // ---- Prometheus scrapes every metric the dashboards and alerts read ----

    /** Health and metrics are on each service's management interface only; OpenAPI stays next to the API. */
    @Test
    void healthAndMetricsAreOnTheManagementPortNotOnTheApisPort() throws Exception {
        for (ServiceProcess s : services.values()) {
            assertEquals(200, get(s.managementUrl() + "/q/metrics").statusCode(), s.managementUrl());
            assertEquals(200, get(s.managementUrl() + "/q/health/ready").statusCode(), s.managementUrl());
            assertEquals(404, get(s.url() + "/q/metrics").statusCode(), s.url());
            assertEquals(404, get(s.url() + "/q/health/ready").statusCode(), s.url());
            assertEquals(200, get(s.url() + "/q/openapi").statusCode(), s.url());
        }
    }

    @Test
    void prometheusScrapesEveryMetricThatDashboardsAndAlertsUse() throws Exception {
        await("Prometheus scrapes all four services")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> query("up{job=\"suite\"} == 1").size() == services.size());
        // Micrometer registers the HTTP server's timer (http_server_requests_seconds, read by SuiteServerErrors) at a
        // service's first request outside /q: one request each, whatever it answers
        for (ServiceProcess s : services.values()) {
            get(s.url() + "/v1/no-such-path");
        }
        Set<String> used = Repo.metricsUsed();
        assertTrue(used.size() > 25, "metrics parsed from dashboards and rules: " + used);
        // every meter is registered at start-up, so one or two scrapes are enough; wait a little for slow starters
        Map<String, List<String>> missing = new TreeMap<>();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        missing.clear();
                        missing.putAll(missingMetrics(used));
                        return missing.isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            StringBuilder report =
                    new StringBuilder("metrics that dashboards or alert rules use but Prometheus did not scrape:\n");
            missing.forEach((service, names) -> report.append("  ")
                    .append(service)
                    .append(" lacks ")
                    .append(names)
                    .append('\n'));
            report.append(
                    "(names agreed for the suite; register every meter at start-up so that it is scraped at zero)");
            throw new AssertionError(report.toString());
        }
    }

    /** service -> metric names it should expose but did not, by the agreed prefixes. */
    static Map<String, List<String>> missingMetrics(Set<String> used) {
        Map<String, String> serviceOf = new HashMap<>();
        services.forEach((name, s) -> serviceOf.put("127.0.0.1:" + s.managementPort(), name));
        Map<String, Set<String>> exposedBy = new HashMap<>();
        for (JsonNode r : query("count by (__name__, instance) ({job=\"suite\"})")) {
            exposedBy
                    .computeIfAbsent(r.path("metric").path("__name__").asText(), k -> new TreeSet<>())
                    .add(serviceOf.getOrDefault(
                            r.path("metric").path("instance").asText(), "?"));
        }
        Map<String, List<String>> missing = new TreeMap<>();
        for (String name : used) {
            Set<String> have = exposedBy.getOrDefault(name, Set.of());
            for (String owner : owners(name)) {
                if (owner.equals("any") ? have.isEmpty() : !have.contains(owner)) {
                    missing.computeIfAbsent(owner, k -> new ArrayList<>()).add(name);
                }
            }
        }
        return missing;
    }

    /** Who must expose a metric, by the prefixes agreed for the suite (write-guard is in both write paths). */
    static List<String> owners(String metric) {
        if (metric.startsWith("locks_")) return List.of("lock-service");
        if (metric.startsWith("posting_")) return List.of("posting-service");
        if (metric.startsWith("maintenance_")) return List.of("maintenance-service");
        if (metric.startsWith("backup_")) return List.of("backup-service");
        if (metric.startsWith("writeguard_")) return List.of("lock-service", "posting-service");
        return List.of("any");
    }

    static List<JsonNode> query(String promql) {
        try {
            HttpResponse<String> r =
                    get(prometheusUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), r.body());
            List<JsonNode> result = new ArrayList<>();
            Repo.JSON.readTree(r.body()).path("data").path("result").forEach(result::add);
            return result;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- the kubectl plugin against the real maintenance-service and backup-service ----

    /** The plugin as the operator runs it: with a realm token (SUITE_TOKEN) of a user who may flip. */
    static List<String> asOperator(String... command) {
        List<String> cmd = Command.of("env", "SUITE_TOKEN=" + Tokens.of(Tokens.DEFAULT_USER));
        cmd.addAll(List.of(command));
        return cmd;
    }

    static Command plugin(String... args) {
        List<String> cmd = asOperator(
                Command.require("python3", "The kubectl plugin is a Python 3 script."),
                Repo.path("k8s/plugin/kubectl-maintenance").toString(),
                "--url",
                services.get("maintenance-service").url(),
                "--backup-url",
                services.get("backup-service").url());
        cmd.addAll(List.of(args));
        return Command.run(Duration.ofSeconds(60), cmd);
    }

    static JsonNode state() throws IOException {
        Command status = plugin("-o", "json", "status");
        assertEquals(0, status.exitCode(), status.describe());
        return Repo.JSON.readTree(status.stdout());
    }

    @Test
    void pluginShowsFlipsAndLiftsReadOnly() throws IOException {
        Command status = plugin("status");
        assertEquals(0, status.exitCode(), status.describe());
        assertTrue(status.stdout().contains("Mode:") && status.stdout().contains("Epoch:"), status.stdout());
        long epoch = state().path("epoch").asLong();

        String reason = "deploy-test " + RUN;
        // --wait returns once lock-service and posting-service (they follow this run's topic) have both drained
        Command on = plugin(
                "on", "--reason", reason, "--for", "2h", "--wait", "--interval", "200ms", "--wait-timeout", "30s");
        assertEquals(0, on.exitCode(), on.describe());
        assertTrue(on.stdout().contains("READ_ONLY") && on.stdout().contains("DRAINED"), on.stdout());
        assertTrue(on.stderr().contains("DRAINED (2/2 write paths drained)"), "progress: " + on.stderr());
        JsonNode readOnly = state();
        assertEquals("DRAINED", readOnly.path("phase").asText(), "on --wait returned before DRAINED");
        assertEquals("READ_ONLY", readOnly.path("mode").asText());
        assertEquals(reason, readOnly.path("reason").asText());
        assertTrue(readOnly.path("epoch").asLong() > epoch, "a new epoch: " + readOnly);
        Duration left = Duration.between(
                Instant.now(), Instant.parse(readOnly.path("expiresAt").asText()));
        assertTrue(
                left.compareTo(Duration.ofMinutes(110)) > 0 && left.compareTo(Duration.ofMinutes(121)) < 0,
                "--for 2h: expires in " + left);

        Command off = plugin("off", "--reason", "done " + RUN);
        assertEquals(0, off.exitCode(), off.describe());
        JsonNode readWrite = state();
        assertEquals("READ_WRITE", readWrite.path("mode").asText());
        assertTrue(readWrite.path("epoch").asLong() > readOnly.path("epoch").asLong());

        Command history = plugin("history");
        assertEquals(0, history.exitCode(), history.describe());
        assertTrue(history.stdout().contains(reason), history.stdout());
    }

    /** Without --url: real kubectl, through the service-proxy path of the API server (a stand-in, no cluster here). */
    @Test
    void pluginGoesThroughTheApiServersServiceProxy() throws IOException {
        Map<String, String> urls = Map.of(
                "maintenance-service",
                services.get("maintenance-service").url(),
                "backup-service",
                services.get("backup-service").url());
        try (ServiceProxyStandIn api = ServiceProxyStandIn.start(urls)) {
            Path kubeconfig = api.kubeconfig(Repo.path("deploy-tests/target/kube-" + RUN));
            List<String> base = asOperator(
                    Command.require("python3", "The kubectl plugin is a Python 3 script."),
                    Repo.path("k8s/plugin/kubectl-maintenance").toString(),
                    "--kubeconfig",
                    kubeconfig.toString());
            Command.require("kubectl", "kubectl is needed for the plugin's default (cluster) mode.");

            Command status = Command.run(Duration.ofSeconds(60), concat(base, "-n", "suite", "-o", "json", "status"));
            assertEquals(0, status.exitCode(), status.describe());
            long epoch = Repo.JSON.readTree(status.stdout()).path("epoch").asLong();

            Command on = Command.run(
                    Duration.ofSeconds(60),
                    concat(base, "-o", "json", "on", "--reason", "via proxy " + RUN, "--for", "30m"));
            assertEquals(0, on.exitCode(), on.describe());
            JsonNode readOnly = Repo.JSON.readTree(on.stdout());
            assertEquals("READ_ONLY", readOnly.path("mode").asText());
            assertEquals(
                    "via proxy " + RUN, readOnly.path("reason").asText(), "the body went through kubectl create --raw");
            assertTrue(readOnly.path("epoch").asLong() > epoch);

            Command off = Command.run(Duration.ofSeconds(60), concat(base, "off", "--reason", "via proxy done"));
            assertEquals(0, off.exitCode(), off.describe());
            assertTrue(off.stdout().contains("READ_WRITE"), off.stdout());

            Command missing = Command.run(Duration.ofSeconds(60), concat(base, "backups", "no-such-backup-" + RUN));
            assertEquals(1, missing.exitCode(), missing.describe());
            assertTrue(missing.stderr().startsWith("error: HTTP 404"), missing.stderr());

            // no -n: the kubeconfig context's namespace, here one RBAC forbids; -n after the command overrides it
            Path inForbidden = kubeconfig.resolveSibling("kubeconfig-forbidden");
            Files.writeString(
                    inForbidden,
                    Files.readString(kubeconfig)
                            .replace(
                                    "context: {cluster: standin,",
                                    "context: {namespace: forbidden, cluster: standin,"));
            List<String> withoutKubeconfig = base.subList(0, base.size() - 2);
            Command fromKubeconfig = Command.run(
                    Duration.ofSeconds(60),
                    concat(withoutKubeconfig, "--kubeconfig", inForbidden.toString(), "status"));
            assertEquals(1, fromKubeconfig.exitCode(), fromKubeconfig.describe());
            assertTrue(fromKubeconfig.stderr().contains("in namespace forbidden"), fromKubeconfig.stderr());
            Command overridden = Command.run(
                    Duration.ofSeconds(60),
                    concat(withoutKubeconfig, "status", "--kubeconfig", inForbidden.toString(), "-n", "suite"));
            assertEquals(0, overridden.exitCode(), overridden.describe());

            Command forbidden =
                    Command.run(Duration.ofSeconds(60), concat(base, "-n", "forbidden", "on", "--reason", "x"));
            assertEquals(1, forbidden.exitCode(), forbidden.describe());
            assertTrue(
                    forbidden
                            .stderr()
                            .contains("forbidden: your Kubernetes user may not use the service proxy of "
                                    + "maintenance-service in namespace forbidden"),
                    forbidden.stderr());
        }
    }

    static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void pluginListsBackupsAndReportsWhatTheServiceRefuses() {
        Command backups = plugin("backups");
        assertEquals(0, backups.exitCode(), backups.describe());
        Command unknown = plugin("backups", "no-such-backup-" + RUN);
        assertEquals(1, unknown.exitCode(), unknown.describe());
        assertTrue(unknown.stderr().startsWith("error: HTTP 404"), unknown.stderr());
    }

    @Test
    void badUsageExitsWith2AndSaysWhatIsWrong() {
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("on"), "the following arguments are required: --reason");
        cases.put(List.of("on", "--reason", "x", "--for", "2 hours"), "invalid duration '2 hours'");
        cases.put(List.of("on", "--reason", "x", "--for", "0s"), "must be more than zero");
        cases.put(List.of("status", "--bogus"), "unrecognized arguments: --bogus");
        cases.put(List.of("flip"), "invalid choice: 'flip'");
        cases.put(List.of(), "the following arguments are required: COMMAND");
        cases.forEach((args, message) -> {
            Command c = plugin(args.toArray(String[]::new));
            assertEquals(2, c.exitCode(), args + ": " + c.describe());
            assertTrue(c.stderr().contains(message), args + " should say '" + message + "': " + c.stderr());
            assertTrue(c.stdout().isEmpty(), args + " printed to stdout: " + c.stdout());
        });
        Command badUrl = Command.run(
                Duration.ofSeconds(30),
                List.of(
                        "python3",
                        Repo.path("k8s/plugin/kubectl-maintenance").toString(),
                        "--url",
                        "localhost:8083",
                        "status"));
        assertEquals(2, badUrl.exitCode(), badUrl.describe());
        assertTrue(badUrl.stderr().contains("--url must be an http(s) URL"), badUrl.stderr());
    }

    @Test
    void unreachableServiceExitsWith1() {
        Command c = Command.run(
                Duration.ofSeconds(30),
                asOperator(
                        "python3",
                        Repo.path("k8s/plugin/kubectl-maintenance").toString(),
                        "--url",
                        "http://127.0.0.1:" + freePort(),
                        "status"));
        assertEquals(1, c.exitCode(), c.describe());
        assertTrue(c.stderr().startsWith("error: cannot reach maintenance-service at http://127.0.0.1:"), c.stderr());
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
