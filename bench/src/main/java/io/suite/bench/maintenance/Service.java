package io.suite.bench.maintenance;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.suite.testing.ServiceProcess;
import io.suite.testing.Signals;
import io.suite.testing.Tokens;

/** One service of the suite as a process of this bench, on a free port, on the bench's own topics and data. */
final class Service implements AutoCloseable {
    final String module;
    final int port;
    /** Health and metrics: the management interface (quarkus.management.port). */
    final int managementPort;

    /** BENCH_LOG_LEVEL=INFO (or DEBUG) for the timelines of a slow flip in bench/target/*.log; WARN by default. */
    private static final String LOG_LEVEL = System.getenv().getOrDefault("BENCH_LOG_LEVEL", "WARN");

    private final Process process;

    private Service(String module, int port, int managementPort, Process process) {
        this.module = module;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    static Service start(String module, Map<String, String> config) throws IOException, InterruptedException {
        Path jar = Path.of(module, "target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the suite first (./mvnw -B install -DskipTests)");
        }
        int port;
        int managementPort;
        try (ServerSocket s = new ServerSocket(0);
                ServerSocket m = new ServerSocket(0)) {
            port = s.getLocalPort();
            managementPort = m.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.console.json.enabled=false",
                "-Dquarkus.log.level=" + LOG_LEVEL));
        if (module.equals(System.getenv("BENCH_JFR"))) {
            // BENCH_JFR=<module>: a flight recording of that service (where a slow first flip spends its time)
            cmd.add("-XX:StartFlightRecording=settings=profile,filename=bench/target/" + module + ".jfr");
        }
        // a caller of another service needs its client secret for the local realm (posting-service's lock calls)
        ServiceProcess.localRealm(module).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        Path log = Path.of("bench/target", module + "-" + port + ".log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Service service = new Service(module, port, managementPort, p);
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(120);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException(module + " exited; see " + log);
            }
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/health/ready"))
                                                .header("Authorization", Tokens.bearer())
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return service;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(module + " not ready in 120 s; see " + log);
            }
            Thread.sleep(250);
        }
    }

    /** Freezes the process (SIGSTOP): a write path that stops answering, as a stuck VM would. */
    void pause() {
        Signals.send("STOP", process.pid());
    }

    void resume() {
        Signals.send("CONT", process.pid());
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(20).toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
