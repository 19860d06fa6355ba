package io.suite.bench.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suite.bench.Table;
import io.suite.testing.PostingSeed;

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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * bench/run backup [movements]: the read-only window, dump and verify times of one backup of a posting
 * database with 1 million stock movements (default). Fills scratch databases with posting-service's own
 * migrations (psql + generate_series, consistent balances), starts maintenance-service and backup-service
 * from their packaged jars on unique databases and topics (the real system is never made read-only), runs
 * {@code POST /v1/backups {"maintenance":"auto"}} and prints what the backup and maintenance-service report.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String DB_HOST = env("DB_HOST", "127.0.0.1");
    private static final String DB_PORT = env("DB_PORT", "5432");
    private static final String DB_USER = env("DB_USER", "suite");
    private static final String DB_PASSWORD = env("DB_PASSWORD", "suite");

    public static void main(String[] args) throws Exception {
        int movements = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path root = Path.of("").toAbsolutePath();
        for (String module : List.of("maintenance-service", "backup-service")) {
            if (!Files.exists(jar(root, module))) {
                System.err.println(jar(root, module) + " is missing: ./mvnw -B -q -pl maintenance-service,backup-service -am"
                        + " package -DskipTests");
                System.exit(2);
            }
        }
        String run = "bkbench_" + UUID.randomUUID().toString().substring(0, 8);
        String posting = run + "_posting";
        String maintenance = run + "_maintenance";
        String catalog = run + "_catalog";
        Path dir = Files.createTempDirectory(run);
        List<Process> processes = new ArrayList<>();
        try {
            // each database with the roles production has (infra/postgres): owner, serving role, backup_app reads
            createDatabase(root, posting, "posting_owner", "posting_app", "posting_writer");
            createDatabase(root, maintenance, "maintenance_owner", "maintenance_app", "maintenance_app");
            createDatabase(root, catalog, "backup_owner", "backup_app", "backup_app");
            try (Stream<Path> files = Files.list(root.resolve("posting-service/src/main/resources/db/migration"))) {
                for (Path file : files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                        .sorted(Comparator.comparingInt(Bench::version)).toList()) {
                    psql(posting, "SET ROLE posting_owner;\n" + Files.readString(file));   // as Flyway would
                }
            }
            System.out.printf("filling %s with %,d stock movements...%n", posting, movements);
            long fillStart = System.nanoTime();
            psql(posting, PostingSeed.sql(movements, 1000));
            psql(posting, "vacuum analyze");
            long fillMs = (System.nanoTime() - fillStart) / 1_000_000;

            String maintenanceUrl = start(root, "maintenance-service", Map.of(
                    "quarkus.datasource.reactive.url", "postgresql://" + DB_HOST + ":" + DB_PORT + "/" + maintenance,
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + DB_HOST + ":" + DB_PORT + "/" + maintenance,
                    "maintenance.state-topic", "mstate-" + run, "maintenance.status-topic", "wps-" + run), processes);
            Map<String, String> backupConfig = new LinkedHashMap<>();
            backupConfig.put("quarkus.datasource.reactive.url", "postgresql://" + DB_HOST + ":" + DB_PORT + "/" + catalog);
            backupConfig.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + DB_HOST + ":" + DB_PORT + "/" + catalog);
            backupConfig.put("quarkus.rest-client.maintenance-service.url", maintenanceUrl);
            backupConfig.put("backup.directory", dir.toString());
            backupConfig.put("backup.databases", posting + "," + maintenance);
            backupConfig.put("backup.frozen-databases", posting);
            backupConfig.put("backup.check.databases", posting);
            backupConfig.put("backup.restore.databases", posting);
            backupConfig.put("mp.messaging.outgoing.backup-events.topic", "backup-events-" + run);
            String backupUrl = start(root, "backup-service", backupConfig, processes);

            JsonNode created = post(backupUrl + "/v1/backups", "{\"label\":\"bench " + movements + "\",\"maintenance\":\"auto\"}");
            String id = created.get("id").asText();
            JsonNode backup;
            do {
                Thread.sleep(250);
                backup = get(backupUrl + "/v1/backups/" + id);
            } while (!List.of("SUCCEEDED", "FAILED").contains(backup.get("status").asText()));
            if (!"SUCCEEDED".equals(backup.get("status").asText())) {
                throw new IllegalStateException("backup failed: " + backup.get("error").asText());
            }
            long historyWindowMs = windowFromHistory(get(maintenanceUrl + "/v1/maintenance/history?limit=1000"), id);
            JsonNode t = backup.get("timings");
            Table table = new Table("what", "value");
            table.row("stock movements", String.format("%,d", movements));
            table.row("fill (generate_series, not part of the backup)", fillMs + " ms");
            table.row("flip → DRAINED", t.get("drainMs").asLong() + " ms");
            table.row("dump (fingerprints + pg_dump -Fc of both dbs)", t.get("dumpMs").asLong() + " ms");
            table.row("read-only window, flip → lift (backup-service)", t.get("readOnlyWindowMs").asLong() + " ms");
            table.row("read-only window, flip → lift (maintenance history)", historyWindowMs + " ms");
            table.row("verify (sha256 + pg_restore + counts + invariant views)", t.get("verifyMs").asLong() + " ms");
            table.row("request → SUCCEEDED", Duration.between(Instant.parse(backup.get("startedAt").asText()),
                    Instant.parse(backup.get("finishedAt").asText())).toMillis() + " ms");
            for (JsonNode artifact : backup.get("artifacts")) {
                table.row("dump file " + artifact.get("database").asText(), String.format("%,d bytes", artifact.get("bytes").asLong()));
            }
            table.row("verified", backup.get("verified").asBoolean());
            System.out.println();
            System.out.print(table);
        } finally {
            for (Process process : processes) {
                process.destroy();
                process.waitFor();
            }
            for (String db : List.of(posting, maintenance, catalog)) {
                try {
                    psql("postgres", "drop database if exists " + db + " with (force)");
                } catch (RuntimeException e) {
                    System.err.println(e.getMessage());
                }
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /** From maintenance-service's own history: the read-only entry held by the backup to the next read-write. */
    static long windowFromHistory(JsonNode history, String backupId) {
        List<JsonNode> entries = new ArrayList<>();
        history.forEach(entries::add);
        entries.sort(Comparator.comparing(e -> Instant.parse(e.get("at").asText())));
        Instant flip = null;
        for (JsonNode entry : entries) {
            String action = entry.get("action").asText();
            if (flip == null && "read-only".equals(action) && ("backup:" + backupId).equals(entry.path("heldBy").asText())) {
                flip = Instant.parse(entry.get("at").asText());
            } else if (flip != null && ("read-write".equals(action) || "expired".equals(action))) {
                return Duration.between(flip, Instant.parse(entry.get("at").asText())).toMillis();
            }
        }
        return -1;
    }

    private static String start(Path root, String module, Map<String, String> config, List<Process> processes)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.log.console.json.enabled=false"));
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar(root, module).toString()));
        Path log = root.resolve("bench/target/" + module + "-" + port + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited; see " + log);
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return url;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(module + " not ready within 90 s; see " + log);
    }

    private static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static JsonNode post(String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("POST " + url + " → " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** DB_USER ("suite", the local administrator) is a member of every owner role, so it may run grants.sql. */
    private static void createDatabase(Path root, String database, String owner, String app, String writer)
            throws IOException, InterruptedException {
        psql("postgres", "create database " + database + " owner " + owner);
        psql(database, "\\set owner " + owner + "\n\\set app " + app + "\n\\set writer " + writer
                + "\n\\set reader backup_app\n" + Files.readString(root.resolve("infra/postgres/grants.sql")));
    }

    private static void psql(String database, String sql) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", DB_HOST, "-p", DB_PORT,
                "-U", DB_USER, "-d", database).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", DB_PASSWORD);
        Process process = builder.start();
        process.getOutputStream().write(sql.getBytes());
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("psql " + database + " failed: " + out);
        }
    }

    private static Path jar(Path root, String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static int version(Path file) {
        String name = file.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
