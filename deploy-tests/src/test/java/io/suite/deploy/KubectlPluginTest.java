package io.suite.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.suite.testing.Tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kubectl plugin's own logic, without the services: `--wait` following a backup or a drain through the
 * answers a service gives (scripted here, one per poll; RunningSuiteIT runs the plugin against the real
 * services), and the exit codes it ends with. The answers are the service's documented shapes (DESIGN.md).
 * How it authenticates: the realm token it sends (given, or from the real Keycloak), as {@code Authorization}
 * directly and as {@code X-Suite-Authorization} through real kubectl and the API server's proxy path (this
 * server stands in for the API server too), and no token at all.
 */
class KubectlPluginTest {
    private HttpServer server;
    /** "METHOD path" → the answers still to give, in order; the last one repeats. */
    private final Map<String, Deque<String>> answers = new HashMap<>();

    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** The headers of each request, in order (names in lower case). */
    private final List<Map<String, String>> headers = Collections.synchronizedList(new ArrayList<>());
    /** The body of each request, in order. */
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

    /** What the plugin is given as its realm token by default ($SUITE_TOKEN). */
    static final String TOKEN = "realm-token-of-the-test";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String key =
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            requests.add(key);
            Map<String, String> seen = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> seen.put(name.toLowerCase(), values.get(0)));
            headers.add(seen);
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Deque<String> queue = answers.get(key);
            String body = queue == null ? null : queue.size() > 1 ? queue.poll() : queue.peek();
            // "403 {problem}": a scripted refusal with its status
            int status = body == null ? 404 : key.startsWith("POST") ? 202 : 200;
            if (body != null && body.matches("(?s)\\d{3} .*")) {
                status = Integer.parseInt(body.substring(0, 3));
                body = body.substring(4);
            }
            boolean problem = status >= 400;
            byte[] bytes = (body == null
                            ? "{\"type\":\"https://suite.io/problems/not-found\",\"title\":\"Not found\",\"status\":404}"
                            : body)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders()
                    .add("Content-Type", problem ? "application/problem+json" : "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private void script(String request, String... bodies) {
        answers.put(request, new ArrayDeque<>(List.of(bodies)));
    }

    private Command plugin(String... args) {
        return plugin(List.of("SUITE_TOKEN=" + TOKEN), args);
    }

    /** The plugin with these environment settings only (no SUITE_* of the machine running the test). */
    private Command plugin(List<String> env, String... args) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        List<String> cmd = Command.of(
                "env", "-u", "SUITE_TOKEN", "-u", "SUITE_OIDC_ISSUER", "-u", "SUITE_USER", "-u", "SUITE_PASSWORD");
        cmd.addAll(env);
        cmd.add(Command.require("python3", "The kubectl plugin is a Python 3 script."));
        cmd.add(Repo.path("k8s/plugin/kubectl-maintenance").toString());
        cmd.addAll(List.of(args));
        if (!List.of(args).contains("--kubeconfig")) {
            cmd.addAll(List.of("--url", url)); // flags after the command, as kubectl users write them
        }
        if (List.of(args).contains("--wait")) {
            cmd.addAll(List.of("--interval", "10ms"));
        }
        return Command.run(Duration.ofSeconds(60), cmd);
    }

    static String backup(String status, String error) {
        return """
                {"id":"b1","label":"nightly","status":"%s","epoch":8,"startedAt":"2026-12-07T10:00:00Z","verified":%s,"error":%s}
                """.formatted(status, status.equals("SUCCEEDED"), error == null ? "null" : "\"" + error + "\"");
    }

    @Test
    void backupWaitFollowsThePhasesToSucceededAndExitsZero() throws IOException {
        script("POST /v1/backups", backup("WAITING_FOR_DRAIN", null));
        script(
                "GET /v1/backups/b1",
                backup("WAITING_FOR_DRAIN", null),
                backup("RUNNING", null),
                backup("RUNNING", null),
                backup("VERIFYING", null),
                backup("SUCCEEDED", null));
        Command c = plugin("backup", "--label", "nightly", "--wait", "-o", "json");
        assertEquals(0, c.exitCode(), c.describe());
        assertEquals(
                "SUCCEEDED", Repo.JSON.readTree(c.stdout()).path("status").asText(), "-o json prints the final backup");
        List<String> phases = c.stderr()
                .lines()
                .map(l -> l.substring(l.lastIndexOf(": ") + 2))
                .toList();
        assertEquals(
                List.of("WAITING_FOR_DRAIN", "RUNNING", "VERIFYING", "SUCCEEDED"),
                phases,
                "each phase once, in order: " + c.stderr());
    }

    @Test
    void backupWaitExitsOneWhenTheBackupFails() {
        script("POST /v1/backups", backup("WAITING_FOR_DRAIN", null));
        script(
                "GET /v1/backups/b1",
                backup("RUNNING", null),
                backup("FAILED", "verification: posting invariant broken"));
        Command c = plugin("backup", "--wait");
        assertEquals(1, c.exitCode(), c.describe());
        assertTrue(c.stdout().contains("FAILED") && c.stdout().contains("posting invariant broken"), c.stdout());
    }

    @Test
    void backupWithoutWaitReturnsAtOnce() {
        script("POST /v1/backups", backup("WAITING_FOR_DRAIN", null));
        Command c = plugin("backup");
        assertEquals(0, c.exitCode(), c.describe());
        assertEquals(List.of("POST /v1/backups"), requests);
    }

    static String state(int epoch, String mode, String phase, boolean... drained) {
        StringBuilder paths = new StringBuilder();
        for (int i = 0; i < drained.length; i++) {
            paths.append(i == 0 ? "" : ",").append("""
                    {"instance":"p%d","service":"posting-service","epoch":%d,"inFlight":0,"drained":%s}""".formatted(i, epoch, drained[i]));
        }
        return """
                {"mode":"%s","phase":"%s","epoch":%d,"reason":"upgrade","writePaths":[%s]}""".formatted(mode, phase, epoch, paths);
    }

    @Test
    void onWaitFollowsTheDrainToDrainedAndExitsZero() throws IOException {
        script("POST /v1/maintenance/read-only", state(8, "READ_ONLY", "DRAINING", false, false));
        script(
                "GET /v1/maintenance",
                state(8, "READ_ONLY", "DRAINING", true, false),
                state(8, "READ_ONLY", "DRAINED", true, true));
        Command c = plugin("on", "--reason", "upgrade", "--wait", "-o", "json");
        assertEquals(0, c.exitCode(), c.describe());
        JsonNode last = Repo.JSON.readTree(c.stdout());
        assertEquals("DRAINED", last.path("phase").asText());
        assertTrue(
                c.stderr().contains("DRAINING (0/2 write paths drained)")
                        && c.stderr().contains("DRAINING (1/2")
                        && c.stderr().contains("DRAINED (2/2"),
                c.stderr());
    }

    @Test
    void onWaitExitsOneWhenReadOnlyEndsBeforeDrained() {
        script("POST /v1/maintenance/read-only", state(8, "READ_ONLY", "DRAINING", false));
        script("GET /v1/maintenance", state(9, "READ_WRITE", "ACTIVE", false));
        Command c = plugin("on", "--reason", "upgrade", "--wait");
        assertEquals(1, c.exitCode(), c.describe());
        assertTrue(c.stderr().contains("did not reach DRAINED"), c.stderr());
    }

    @Test
    void onWaitGivesUpAfterTheWaitTimeout() {
        script("POST /v1/maintenance/read-only", state(8, "READ_ONLY", "DRAINING", false));
        script("GET /v1/maintenance", state(8, "READ_ONLY", "DRAINING", false));
        Command c = plugin("on", "--reason", "upgrade", "--wait", "--wait-timeout", "300ms");
        assertEquals(1, c.exitCode(), c.describe());
        assertTrue(c.stderr().contains("gave up waiting after"), c.stderr());
    }

    @Test
    void globalFlagsWorkAfterTheCommandAndBadOnesStillExitTwo() {
        script("GET /v1/maintenance", state(3, "READ_WRITE", "ACTIVE"));
        Command c = plugin("status", "-n", "suite-dev", "-o", "json", "--timeout", "5");
        assertEquals(0, c.exitCode(), c.describe());
        assertTrue(c.stdout().trim().startsWith("{"), "-o json after the command: " + c.stdout());
        Command bad = plugin("status", "--no-such-flag");
        assertEquals(2, bad.exitCode(), bad.describe());
        assertTrue(
                bad.stderr().contains("unrecognized arguments: --no-such-flag")
                        && bad.stdout().isEmpty(),
                bad.describe());
    }

    @Test
    void theTokenGoesAsBearerDirectlyAndNoBodyNamesWhoAsks() throws IOException {
        script("POST /v1/maintenance/read-write", state(9, "READ_WRITE", "ACTIVE"));
        Command c = plugin("off", "--reason", "done", "--token", "from-the-flag");
        assertEquals(0, c.exitCode(), c.describe());
        assertEquals("Bearer from-the-flag", headers.get(0).get("authorization"), "--token before $SUITE_TOKEN");
        assertEquals("done", Repo.JSON.readTree(bodies.get(0)).path("reason").asText());
        assertFalse(bodies.get(0).contains("requestedBy"), "who asks is the token's user: " + bodies.get(0));
        assertFalse(headers.get(0).containsKey("x-requested-by"), headers.get(0).toString());

        script("GET /v1/maintenance", state(9, "READ_WRITE", "ACTIVE"));
        Command status = plugin("status");
        assertEquals(0, status.exitCode(), status.describe());
        assertEquals("Bearer " + TOKEN, headers.get(1).get("authorization"));
    }

    /**
     * Without --url, through real kubectl: the API server's service proxy keeps Authorization for the Kubernetes
     * credential (and drops it before the service), so the realm token travels as X-Suite-Authorization.
     */
    @Test
    void throughTheApiServerTheTokenTravelsAsXSuiteAuthorization() throws IOException {
        Command.require("kubectl", "kubectl is needed for the plugin's default (cluster) mode.");
        String proxy = "/api/v1/namespaces/suite-dev/services/http:maintenance-service:http/proxy";
        script("GET /version", "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.4\"}");
        script("POST " + proxy + "/v1/maintenance/read-only", state(8, "READ_ONLY", "DRAINING", false));
        Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
        try {
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: standin, cluster: {server: "http://127.0.0.1:%d"}}]
                    users: [{name: operator, user: {}}]
                    contexts: [{name: standin, context: {cluster: standin, user: operator, namespace: suite-dev}}]
                    current-context: standin
                    """.formatted(server.getAddress().getPort()));
            Command c = plugin("on", "--reason", "upgrade", "--kubeconfig", kubeconfig.toString(), "-o", "json");
            assertEquals(0, c.exitCode(), c.describe());
            assertEquals(
                    "READ_ONLY", Repo.JSON.readTree(c.stdout()).path("mode").asText());
        } finally {
            Files.delete(kubeconfig);
        }
        int at = requests.indexOf("POST " + proxy + "/v1/maintenance/read-only");
        assertTrue(at >= 0, "the proxy path was used: " + requests);
        assertEquals("Bearer " + TOKEN, headers.get(at).get("x-suite-authorization"));
        assertTrue(
                !headers.get(at).containsKey("authorization")
                        || !headers.get(at).get("authorization").contains(TOKEN),
                "the realm token is not the Kubernetes credential: " + headers.get(at));
    }

    /** A password grant at the real Keycloak of the suite (client suite-cli) gives the operator's token. */
    @Test
    void aPasswordGrantAtTheRealmGivesTheUsersToken() {
        script("GET /v1/maintenance", state(3, "READ_WRITE", "ACTIVE"));
        Command c = plugin(
                List.of("SUITE_OIDC_ISSUER=" + Tokens.ISSUER, "SUITE_USER=operator", "SUITE_PASSWORD=operator"),
                "status");
        assertEquals(0, c.exitCode(), c.describe());
        String bearer = headers.get(0).get("authorization");
        assertTrue(bearer.startsWith("Bearer "), bearer);
        assertEquals(
                "operator",
                Tokens.claims(bearer.substring(7)).path("preferred_username").asText());

        Command wrong = plugin(
                List.of("SUITE_OIDC_ISSUER=" + Tokens.ISSUER, "SUITE_USER=operator", "SUITE_PASSWORD=wrong"), "status");
        assertEquals(1, wrong.exitCode(), wrong.describe());
        assertTrue(wrong.stderr().contains("login as operator at " + Tokens.ISSUER + " refused"), wrong.stderr());
        assertEquals(1, requests.size(), "nothing sent without a token: " + requests);
    }

    @Test
    void withoutATokenItSaysWhereToGetOneAndSendsNothing() {
        script("GET /v1/maintenance", state(3, "READ_WRITE", "ACTIVE"));
        Command c = plugin(List.of(), "status");
        assertEquals(2, c.exitCode(), c.describe());
        assertTrue(
                c.stderr().startsWith("error: no token of the suite's realm: pass --token or set SUITE_TOKEN")
                        && c.stderr().contains("SUITE_OIDC_ISSUER"),
                c.stderr());
        assertTrue(c.stdout().isEmpty(), c.stdout());
        assertEquals(List.of(), requests, "nothing sent");
    }

    @Test
    void aRefusedTokenOrAMissingRoleIsExplained() {
        script(
                "POST /v1/maintenance/read-write",
                "401 {\"type\":\"https://suite.dev/problems/unauthorized\",\"title\":\"Unauthorized\",\"status\":401}",
                "403 {\"type\":\"https://suite.dev/problems/forbidden\",\"title\":\"Forbidden\",\"status\":403}");
        Command expired = plugin("off", "--force");
        assertEquals(1, expired.exitCode(), expired.describe());
        assertTrue(
                expired.stderr().startsWith("error: HTTP 401 unauthorized")
                        && expired.stderr().contains("did not accept the realm token"),
                expired.stderr());
        Command operator = plugin("off", "--force");
        assertEquals(1, operator.exitCode(), operator.describe());
        assertTrue(
                operator.stderr().startsWith("error: HTTP 403 forbidden")
                        && operator.stderr().contains("admin to force"),
                operator.stderr());
    }

    /** The krew manifest installs this very script as `kubectl maintenance` on the platforms it runs on. */
    @Test
    void theKrewManifestInstallsThePlugin() {
        JsonNode krew = Repo.yaml(Repo.path("k8s/plugin/krew/maintenance.yaml"));
        assertEquals(
                "krew.googlecontainertools.github.com/v1alpha2",
                krew.path("apiVersion").asText());
        assertEquals("Plugin", krew.path("kind").asText());
        assertEquals("maintenance", krew.path("metadata").path("name").asText(), "installed as kubectl maintenance");
        assertTrue(krew.path("spec").path("version").asText().matches("v\\d+\\.\\d+\\.\\d+"), "semver with v");
        assertTrue(krew.path("spec").path("platforms").size() > 0, "platforms");
        for (JsonNode platform : krew.path("spec").path("platforms")) {
            assertEquals("kubectl-maintenance", platform.path("bin").asText());
            assertTrue(platform.path("sha256").asText().matches("[0-9a-f]{64}"), "sha256");
            assertTrue(platform.path("uri").asText().startsWith("https://"), "uri");
            assertTrue(
                    platform.path("files").toString().contains("\"from\":\"kubectl-maintenance\""), "ships the script");
            assertTrue(
                    Files.isExecutable(
                            Repo.path("k8s/plugin/" + platform.path("bin").asText())),
                    "bin is executable");
        }
    }
}
