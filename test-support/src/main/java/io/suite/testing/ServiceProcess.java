package io.suite.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Runs a sibling service of the suite as a real process (its {@code quarkus-run.jar} from the
 * reactor build) on a free port, for tests that need another service, or a second replica.
 * The jar exists once Maven has packaged that module: {@code ./mvnw verify} from the root
 * builds modules in dependency order, so the reactor guarantees it.
 */
public final class ServiceProcess implements AutoCloseable {
    /**
     * A short-lived JVM on a small shared machine: C1 only and one GC thread need about half the CPU of the
     * default (C2 compiler threads, parallel GC) to get a service ready, and a test's process never runs long
     * enough for C2's code to pay off. Also for the other JVMs the tests start (KafkaBroker).
     */
    static final List<String> TEST_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** Services that call another with their own client-credentials token (DESIGN.md "Security"). */
    static final Set<String> CALLERS = Set.of("posting-service", "backup-service");

    private final String module;
    private final List<String> command;
    private final int port;
    private final int managementPort;
    private final Path log;
    private volatile Process process;

    private ServiceProcess(String module, List<String> command, int port, int managementPort, Path log) {
        this.module = module;
        this.command = command;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** Starts {@code module} (e.g. "lock-service") with extra config properties, waits until ready. */
    public static ServiceProcess start(String module, Map<String, String> config) {
        Path root = repositoryRoot();
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: build it first (./mvnw -pl " + module + " package -DskipTests)");
        }
        int port = freePort();
        // health and metrics: the management interface, on a port of its own too (several services per test)
        int managementPort = freePort();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.port", String.valueOf(port));
        props.put("quarkus.management.port", String.valueOf(managementPort));
        props.put("quarkus.log.console.json.enabled", "false");
        props.putAll(localRealm(module));
        props.putAll(config);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(TEST_JVM);
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        try {
            Path logDir = root.resolve("target/service-logs");
            Files.createDirectories(logDir);
            Path log = logDir.resolve(module + "-" + port + ".log");
            ServiceProcess service = new ServiceProcess(module, List.copyOf(cmd), port, managementPort, log);
            service.launch(ProcessBuilder.Redirect.to(log.toFile()));
            return service;
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + module, e);
        }
    }

    /** Starts {@code count} replicas of {@code module} with the same config at once; waits until all are ready. */
    public static List<ServiceProcess> startReplicas(String module, Map<String, String> config, int count) {
        List<CompletableFuture<ServiceProcess>> starts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            starts.add(CompletableFuture.supplyAsync(() -> start(module, config)));
        }
        List<ServiceProcess> started = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<ServiceProcess> s : starts) {
            try {
                started.add(s.join());
            } catch (CompletionException e) {
                failure = e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        if (failure != null) {
            started.forEach(ServiceProcess::close);
            throw failure;
        }
        return started;
    }

    /**
     * What a service's jar needs to run against the local realm: a service that calls another gets its own
     * client's local secret (production has no default: it comes from a Secret).
     */
    public static Map<String, String> localRealm(String module) {
        return CALLERS.contains(module)
                ? Map.of("quarkus.oidc-client.credentials.secret", module + "-local-secret")
                : Map.of();
    }

    /** Starts the service again after {@link #kill}: same port and config, its log appended to. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(module + " is still running");
        }
        try {
            launch(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } catch (IOException e) {
            throw new IllegalStateException("could not restart " + module, e);
        }
    }

    private void launch(ProcessBuilder.Redirect output) throws IOException {
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output)
                .start();
        try {
            awaitReady();
        } catch (RuntimeException e) {
            // not ready in time: nobody gets a handle on it, so it must not be left running
            process.destroyForcibly();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The management interface's port: health and metrics (quarkus.management.*). */
    public int managementPort() {
        return managementPort;
    }

    /** The management interface, e.g. {@code managementUrl() + "/q/metrics"}. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Freezes the process (SIGSTOP), as a stuck VM or a long GC pause would; {@link #resume} thaws it. */
    public void pause() {
        Signals.send("STOP", process.pid());
    }

    /** Thaws a paused process (SIGCONT). */
    public void resume() {
        Signals.send("CONT", process.pid());
    }

    /** Kills the process at once, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    @Override
    public void close() {
        process.destroy();
        waitForExit();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(
                                module + " exited with " + process.exitValue() + "; see " + log);
                    }
                    try {
                        return http.send(ready, HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The directory holding the parent pom, found upwards from the working directory. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("suite")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                "not inside the suite's repository: " + Path.of("").toAbsolutePath());
    }
}
