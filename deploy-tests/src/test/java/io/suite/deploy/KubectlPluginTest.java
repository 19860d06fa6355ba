package io.suite.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kubectl plugin's own logic, without the services: `--wait` following a backup or a drain through the
 * answers a service gives (scripted here, one per poll; RunningSuiteIT runs the plugin against the real
 * services), and the exit codes it ends with. The answers are the service's documented shapes (DESIGN.md).
 */
class KubectlPluginTest {
    private HttpServer server;
    /** "METHOD path" → the answers still to give, in order; the last one repeats. */
    private final Map<String, Deque<String>> answers = new HashMap<>();

    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

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
            Deque<String> queue = answers.get(key);
            String body = queue == null ? null : queue.size() > 1 ? queue.poll() : queue.peek();
            byte[] bytes = (body == null
                            ? "{\"type\":\"https://suite.io/problems/not-found\",\"title\":\"Not found\",\"status\":404}"
                            : body)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders()
                    .add("Content-Type", body == null ? "application/problem+json" : "application/json");
            exchange.sendResponseHeaders(body == null ? 404 : key.startsWith("POST") ? 202 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private void script(String request, String... bodies) {
        answers.put(request, new ArrayDeque<>(List.of(bodies)));
    }

    private Command plugin(String... args) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        List<String> cmd = Command.of(
                Command.require("python3", "The kubectl plugin is a Python 3 script."),
                Repo.path("k8s/plugin/kubectl-maintenance").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--url", url)); // flags after the command, as kubectl users write them
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
