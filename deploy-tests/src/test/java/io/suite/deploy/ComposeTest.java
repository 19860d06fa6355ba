package io.suite.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker-compose.yml as docker-compose itself reads it (no Docker engine is needed for `config`). */
class ComposeTest {

    static Command compose(String... args) {
        List<String> cmd = Command.of(
                Command.require(
                        "docker-compose",
                        "It is Debian's package docker-compose (./suite test installs it: apt-get install docker-compose)."),
                "-f",
                Repo.path("docker-compose.yml").toString());
        cmd.addAll(List.of(args));
        return Command.run(Duration.ofSeconds(60), cmd, Repo.root());
    }

    @Test
    void composeAcceptsTheFile() {
        Command result = compose("config", "--quiet");
        assertEquals(0, result.exitCode(), result.describe());
    }

    @Test
    void everythingOfTheSuiteIsThereAndUsesTheSharedObservabilityFiles() throws Exception {
        Command result = compose("config");
        assertEquals(0, result.exitCode(), result.describe());
        JsonNode services = Repo.YAML.readTree(result.stdout()).path("services");
        for (String name : List.of(
                "redis",
                "postgres",
                "kafka",
                "lock-service",
                "posting-service",
                "maintenance-service",
                "backup-service",
                "prometheus",
                "grafana")) {
            assertTrue(services.has(name), "service " + name);
        }
        for (String service : ManifestsTest.SERVICES) {
            JsonNode s = services.path(service);
            assertEquals(
                    "src/main/docker/Dockerfile.jvm",
                    s.path("build").path("dockerfile").asText(),
                    service);
            assertTrue(
                    Files.exists(Repo.path(service + "/src/main/docker/Dockerfile.jvm")), service + " Dockerfile.jvm");
            assertTrue(
                    Files.exists(Repo.path(service + "/src/main/docker/Dockerfile.native")),
                    service + " Dockerfile.native");
            assertExposesItsPorts(service);
            JsonNode env = s.path("environment");
            for (String key : List.of("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_REDIS_HOSTS", "DB_HOST")) {
                assertTrue(env.has(key), service + " env " + key);
            }
        }
        // each service as its own PostgreSQL roles, set up by the same SQL as ./suite
        Map.of("posting-service", "posting", "maintenance-service", "maintenance", "backup-service", "backup")
                .forEach((service, db) -> {
                    JsonNode env = services.path(service).path("environment");
                    assertEquals(db + "_app", env.path("DB_USER").asText(), service);
                    assertEquals(db + "_owner", env.path("DB_MIGRATION_USER").asText(), service);
                });
        assertEquals(
                "suite_fencer",
                services.path("maintenance-service")
                        .path("environment")
                        .path("FENCE_DB_USER")
                        .asText());
        assertTrue(
                services.path("postgres-init")
                        .path("volumes")
                        .toString()
                        .contains(Repo.path("infra/postgres").toString()),
                "postgres-init mounts infra/postgres");
        assertTrue(services.path("postgres-init").path("command").toString().contains("/infra/postgres/setup.sql"));
        // Kafka from the host (127.0.0.1:9092, the services' local default) and from the containers (kafka:19092)
        JsonNode kafka = services.path("kafka");
        String advertised =
                kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText();
        assertTrue(advertised.contains("://127.0.0.1:9092") && advertised.contains("://kafka:19092"), advertised);
        assertTrue(
                kafka.path("ports").toString().contains("9092")
                        && !kafka.path("ports").toString().contains("19092"),
                "publishes the host listener only: " + kafka.path("ports"));
        for (String service : ManifestsTest.SERVICES) {
            assertEquals(
                    "kafka:19092",
                    services.path(service)
                            .path("environment")
                            .path("KAFKA_BOOTSTRAP_SERVERS")
                            .asText(),
                    service);
        }
        assertTrue(services.path("kafka-init").path("command").toString().contains("kafka:19092"), "kafka-init");
        // health and metrics on each service's management port: the healthcheck asks it, Prometheus scrapes it
        String targets = Repo.yaml(Repo.path("observability/prometheus/prometheus.yml"))
                .path("scrape_configs")
                .toString();
        for (String service : ManifestsTest.SERVICES) {
            int port = ManifestsTest.managementPort(service);
            assertTrue(
                    services.path(service)
                            .path("healthcheck")
                            .path("test")
                            .toString()
                            .contains("http://localhost:" + port + "/q/health/ready"),
                    service + " healthcheck: " + services.path(service).path("healthcheck"));
            assertTrue(
                    targets.contains("\"" + service + ":" + port + "\""),
                    service + " scraped on " + port + ": " + targets);
        }
        String volumes = services.path("grafana").path("volumes").toString()
                + services.path("prometheus").path("volumes");
        for (String dir : List.of(
                "observability/grafana/dashboards", "observability/grafana/provisioning", "observability/prometheus")) {
            assertTrue(volumes.contains(Repo.path(dir).toString()), "mounts " + dir + ": " + volumes);
        }
    }

    /** Both images EXPOSE the API port and the management port (health, metrics) the service listens on. */
    private static void assertExposesItsPorts(String service) throws IOException {
        Properties config = new Properties();
        try (Reader r = Files.newBufferedReader(Repo.path(service + "/src/main/resources/application.properties"))) {
            config.load(r);
        }
        Set<String> wanted =
                Set.of(config.getProperty("quarkus.http.port"), config.getProperty("quarkus.management.port"));
        for (String image : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            Set<String> exposed = new HashSet<>();
            for (String line : Files.readAllLines(Repo.path(service + "/src/main/docker/" + image))) {
                if (line.startsWith("EXPOSE ")) {
                    exposed.addAll(
                            List.of(line.substring("EXPOSE ".length()).trim().split("\\s+")));
                }
            }
            assertEquals(wanted, exposed, service + " " + image + " EXPOSE");
        }
    }
}
