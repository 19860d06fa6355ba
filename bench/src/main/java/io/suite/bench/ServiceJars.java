package io.suite.bench;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.suite.testing.ServiceProcess;

/**
 * The suite's service jars as processes of one benchmark: built when missing, started on a port with
 * their settings (system properties and environment), awaited until ready, all stopped at the end.
 * Logs go to {@code bench/target/<module>-<port>-<n>.log}; {@code bench.jfr=<module>,...} records those modules'
 * processes with JFR ({@code bench/target/<module>-<port>.jfr}, written at exit).
 */
public final class ServiceJars implements AutoCloseable {
    /** A started service: its API, its management interface (health, metrics), its process. */
    public record Service(String url, String managementUrl, Process process) {}

    /** {@code bench.start-timeout}: seconds a service has to become ready (a busy 2-core machine needs more). */
    private static final int START_TIMEOUT_SECONDS = Integer.getInteger("bench.start-timeout", 120);

    private final Path root = root();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Builds the modules' jars if one is missing; every process started is destroyed at JVM exit too. */
    public ServiceJars(String... modules) throws IOException, InterruptedException {
        ensureBuilt(modules);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroy)));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public Service start(String module, Map<String, String> config) throws IOException, InterruptedException {
        return start(module, freePort(), config, Map.of());
    }

    /**
     * Starts {@code module}'s jar on {@code port}, its management interface on a free port, and waits until
     * {@code /q/health/ready} answers 200 there.
     */
    public Service start(String module, int port, Map<String, String> config, Map<String, String> env)
            throws IOException, InterruptedException {
        return start(root.resolve(module), module, port, config, env);
    }

    /**
     * {@code module} built from another revision of the repository (a detached worktree under
     * bench/target), for a contender "as it was": its folder, built when missing.
     */
    public Path moduleAt(String revision, String module) throws IOException, InterruptedException {
        Path tree = root.resolve("bench/target/rev-" + revision.replaceAll("[^A-Za-z0-9._-]", "_"));
        if (!Files.exists(tree.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"))) {
            if (!Files.exists(tree)) {
                run(root, "git", "worktree", "add", "--detach", tree.toString(), revision);
            }
            run(
                    tree,
                    "./mvnw",
                    "-q",
                    "-B",
                    "-pl",
                    module,
                    "-am",
                    "package",
                    "-DskipTests",
                    "-Dspotless.check.skip=true");
        }
        return tree.resolve(module);
    }

    /** Starts the jar of {@code moduleDir} (this checkout's or {@link #moduleAt another revision's}) as {@code module}. */
    public Service start(Path moduleDir, String module, int port, Map<String, String> config, Map<String, String> env)
            throws IOException, InterruptedException {
        int managementPort = freePort();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.console.json.enabled=false",
                "-Dquarkus.log.level=WARN"));
        if (System.getProperty("bench.jfr", "").contains(module)) {
            // bench.jfr=posting-service: a CPU profile of each such process, written when it exits
            cmd.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + root.resolve("bench/target/" + module + "-" + port + ".jfr"));
        }
        Map<String, String> props = new LinkedHashMap<>(ServiceProcess.localRealm(module));
        props.putAll(config);
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        // moduleDir's own jar: another revision's for a contender "as it was"
        cmd.add(moduleDir.resolve("target/quarkus-app/quarkus-run.jar").toString());
        Path log = root.resolve("bench/target/" + module + "-" + port + "-" + processes.size() + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        processes.add(p);
        String url = "http://127.0.0.1:" + port;
        String management = "http://127.0.0.1:" + managementPort;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(module + " exited; see " + log);
            }
            // a contender of a revision from before the management interface serves health on its API port
            for (String base : List.of(management, url)) {
                if (ready(base)) {
                    return new Service(url, base, p);
                }
            }
            Thread.sleep(250); // polling readiness
        }
        throw new IllegalStateException(module + " not ready in " + START_TIMEOUT_SECONDS + " s; see " + log);
    }

    private boolean ready(String base) throws InterruptedException {
        try {
            return http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** This checkout's folder of {@code module}. */
    public Path moduleDir(String module) {
        return root.resolve(module);
    }

    /** Stops one service and waits for it to exit. */
    public void stop(Service service) throws InterruptedException {
        service.process().destroy();
        service.process().waitFor(30, TimeUnit.SECONDS);
        processes.remove(service.process());
    }

    @Override
    public void close() throws InterruptedException {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            p.waitFor(20, TimeUnit.SECONDS);
        }
        processes.clear();
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed in " + dir);
        }
    }

    private void ensureBuilt(String... modules) throws IOException, InterruptedException {
        boolean built = true;
        for (String module : modules) {
            built &= Files.exists(root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"));
        }
        if (built) {
            return;
        }
        Process p = new ProcessBuilder(
                        "./mvnw", "-q", "-B", "-pl", String.join(",", modules), "-am", "package", "-DskipTests")
                .directory(root.toFile())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("build of " + String.join(", ", modules) + " failed");
        }
    }

    /** The repository's root: the nearest folder above the working directory with {@code suite} and {@code pom.xml}. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("suite")) && Files.exists(dir.resolve("pom.xml")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run from inside the repository");
        }
        return dir;
    }
}
