package io.suite.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * Redis as the prod overlay ships it, run here: a master started by the rendered {@code acl.sh} with the
 * rendered {@code redis.conf} (ACL users, the default user off) and a Sentinel with the rendered
 * {@code sentinel auth-*} lines, on free ports, with the dev overlay's local passwords (prod renders no Secret).
 * What only a cluster has (hostnames, replicas, the emptyDir at /data) is replaced by local equivalents.
 */
final class ShippedRedis implements AutoCloseable {
    final int port = freePort();
    final int sentinelPort = freePort();
    final Map<String, String> passwords;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    private ShippedRedis(Map<String, String> passwords, Path dir) {
        this.passwords = passwords;
        this.dir = dir;
    }

    static ShippedRedis start(String run) throws IOException {
        List<ObjectNode> prod = render("prod");
        List<ObjectNode> dev = render("dev");
        JsonNode config = find(prod, "ConfigMap", "redis-config").path("data");
        String configure = find(prod, "ConfigMap", "redis-sentinel-scripts")
                .path("data")
                .path("configure.sh")
                .asText();
        JsonNode secret = find(dev, "Secret", "suite-redis").path("data");
        Map<String, String> passwords = Map.of(
                "REDIS_LOCK_SERVICE_PASSWORD", decode(secret, "lock-service"),
                "REDIS_REPLICATION_PASSWORD", decode(secret, "replication"),
                "REDIS_SENTINEL_PASSWORD", decode(secret, "sentinel"));
        Path dir = Repo.path("deploy-tests/target/redis-" + run);
        Files.createDirectories(dir);
        ShippedRedis redis = new ShippedRedis(passwords, dir);
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, config.path("redis.conf").asText().replace("/data/", dir + "/"));
        Path acl = dir.resolve("acl.sh");
        Files.writeString(acl, config.path("acl.sh").asText().replace("/data/", dir + "/"));
        redis.launch(
                List.of(
                        "sh",
                        acl.toString(),
                        conf.toString(),
                        "--port",
                        String.valueOf(redis.port),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dir.toString()),
                "redis");
        // the Sentinel's own lines of configure.sh (its ACL), with this machine's master instead of the pods'
        String auth = configure
                .lines()
                .map(String::strip)
                .filter(l ->
                        l.startsWith("sentinel auth-") || l.startsWith("sentinel sentinel-") || l.startsWith("user "))
                .map(l -> l.replace("${REDIS_SENTINEL_PASSWORD}", passwords.get("REDIS_SENTINEL_PASSWORD"))
                        .replace("${REDIS_LOCK_SERVICE_PASSWORD}", passwords.get("REDIS_LOCK_SERVICE_PASSWORD")))
                .collect(Collectors.joining("\n"));
        if (!auth.contains("auth-user") || !auth.contains("auth-pass")) {
            throw new AssertionError("configure.sh gives its Sentinels no ACL user: " + auth);
        }
        Path sentinel = dir.resolve("sentinel.conf");
        Files.writeString(
                sentinel,
                "port " + redis.sentinelPort + "\nbind 127.0.0.1\ndir " + dir + "\nsentinel monitor suite 127.0.0.1 "
                        + redis.port + " 1\n" + auth + "\n");
        redis.launch(List.of("redis-server", sentinel.toString(), "--sentinel"), "sentinel");
        return redis;
    }

    /** What lock-service's Deployment gives it in prod: the Sentinels' address with its user, its password. */
    Map<String, String> lockServiceConfig(JsonNode suiteConfig) {
        String hosts = suiteConfig
                .path("QUARKUS_REDIS_HOSTS")
                .asText()
                .replace("redis-sentinel:26379", "127.0.0.1:" + sentinelPort);
        return Map.of(
                "quarkus.redis.hosts", hosts,
                "quarkus.redis.client-type",
                        suiteConfig.path("QUARKUS_REDIS_CLIENT_TYPE").asText(),
                "quarkus.redis.master-name",
                        suiteConfig.path("QUARKUS_REDIS_MASTER_NAME").asText(),
                "quarkus.redis.password", passwords.get("REDIS_LOCK_SERVICE_PASSWORD"));
    }

    static JsonNode prodSuiteConfig() {
        return find(render("prod"), "ConfigMap", "suite-config").path("data");
    }

    /** What redis-cli says (its output and errors) against the master or the Sentinel, as {@code user} (null: no AUTH). */
    String cli(int port, String user, String password, String... command) {
        Command result = run(port, user, password, command);
        return result.stdout() + result.stderr();
    }

    private static Command run(int port, String user, String password, String... command) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-p", String.valueOf(port)));
        if (user != null) {
            cmd.addAll(List.of("--user", user, "--pass", password));
        }
        cmd.addAll(List.of(command));
        return Command.run(Duration.ofSeconds(10), cmd);
    }

    private void launch(List<String> command, String name) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(passwords);
        Process process = builder.start();
        processes.add(process);
        int listening = name.equals("redis") ? port : sentinelPort;
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(name + " exited: " + Files.readString(log));
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", listening), 500);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
    }

    private static List<ObjectNode> render(String overlay) {
        List<String> cmd = new ArrayList<>(ManifestsTest.kustomizeCommand());
        cmd.add(Repo.path("k8s/overlays/" + overlay).toString());
        Command result = Command.run(Duration.ofSeconds(60), cmd);
        if (result.exitCode() != 0) {
            throw new AssertionError(result.stderr());
        }
        return Repo.yamlDocuments(result.stdout());
    }

    private static ObjectNode find(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind)
                        && o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static String decode(JsonNode data, String key) {
        return new String(Base64.getDecoder().decode(data.path(key).asText()), StandardCharsets.UTF_8);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
