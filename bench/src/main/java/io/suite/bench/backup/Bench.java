package io.suite.bench.backup;

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
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.suite.bench.Table;
import io.suite.testing.PostingSeed;
import io.suite.testing.Tokens;

/**
 * bench/run backup [movements,…]: for each size (default 1 and 5 million stock movements), two backups side
 * by side under the same write load: from snapshots (read-only ends once every database's snapshot is
 * exported, the default) and holding read-only through the dump (the old way, {@code
 * backup.read-only.hold-during-dump=true}). It reports each one's read-only window, dump time, and the
 * documents per second clients got posted from the backup request to the end of the dump, against the
 * rate with no backup. Everything real and private to the run: databases filled with posting-service's
 * schema (generate_series, consistent balances), maintenance-service, posting-service (AUTOMATIC, a write
 * path on this run's topics) and two backup-services from their packaged jars; the real system is never
 * made read-only.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String DB_HOST = env("DB_HOST", "127.0.0.1");
    private static final String DB_PORT = env("DB_PORT", "5432");
    private static final String DB_USER = env("DB_USER", "suite");
    private static final String DB_PASSWORD = env("DB_PASSWORD", "suite");
    private static final int WRITERS = 4;

    /** One posted document: when its answer came, and whether it was a 201. */
    private record Answer(long atNanos, boolean posted) {}

    private record Outcome(String how, long windowMs, long drainMs, long dumpMs, double postedPerSecond, long bytes) {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = Arrays.stream((args.length > 0 ? args[0] : "1000000,5000000").split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
        Path root = Path.of("").toAbsolutePath();
        for (String module : List.of("maintenance-service", "posting-service", "backup-service")) {
            if (!Files.exists(jar(root, module))) {
                System.err.println(
                        jar(root, module) + " is missing: ./mvnw -B -q -pl maintenance-service,posting-service,"
                                + "backup-service -am package -DskipTests");
                System.exit(2);
            }
        }
        Table table = new Table(
                "movements",
                "backup",
                "read-only window",
                "drain",
                "dump",
                "posted/s during backup",
                "÷ no backup",
                "window ÷ snapshot's");
        for (int movements : sizes) {
            List<Outcome> outcomes = new ArrayList<>();
            double quiet = run(root, movements, outcomes);
            Outcome snapshot = outcomes.get(0);
            for (Outcome o : outcomes) {
                table.row(
                        String.format("%,d", movements),
                        o.how(),
                        o.windowMs() + " ms",
                        o.drainMs() + " ms",
                        o.dumpMs() + " ms",
                        String.format("%.0f", o.postedPerSecond()),
                        String.format("%.2f", o.postedPerSecond() / quiet),
                        String.format("%.2f", (double) o.windowMs() / Math.max(1, snapshot.windowMs())));
            }
            table.row(
                    String.format("%,d", movements),
                    "(no backup)",
                    "",
                    "",
                    "",
                    String.format("%.0f", quiet),
                    "1.00",
                    "");
            System.out.println();
            System.out.print(table); // after every size: a long run cut short still shows what it measured
        }
        System.out.println("Goal (issue 20): the snapshot backup's read-only window ≤ drain + 2 s, whatever the size.");
    }

    /** One size: fills a database, starts the services, measures the quiet rate, then both backups. */
    private static double run(Path root, int movements, List<Outcome> outcomes) throws Exception {
        String run = "bkbench_" + UUID.randomUUID().toString().substring(0, 8);
        String posting = run + "_posting";
        String maintenance = run + "_maintenance";
        String catalog = run + "_catalog";
        Path dir = Files.createTempDirectory(run);
        List<Process> processes = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            // each database with the roles production has (infra/postgres): owner, serving role, backup_app reads
            createDatabase(root, posting, "posting_owner", "posting_app", "posting_writer");
            createDatabase(root, maintenance, "maintenance_owner", "maintenance_app", "maintenance_app");
            createDatabase(root, catalog, "backup_owner", "backup_app", "backup_app");
            Map<String, String> writePath =
                    Map.of("write-guard.state-topic", "mstate-" + run, "write-guard.status-topic", "wps-" + run);
            Map<String, String> maintenanceConfig = new LinkedHashMap<>(writePath);
            maintenanceConfig.put("quarkus.datasource.reactive.url", reactiveUrl(maintenance));
            maintenanceConfig.put("quarkus.datasource.jdbc.url", jdbcUrl(maintenance));
            maintenanceConfig.put("maintenance.state-topic", "mstate-" + run);
            maintenanceConfig.put("maintenance.status-topic", "wps-" + run);
            String maintenanceUrl = start(root, "maintenance-service", maintenanceConfig, processes);
            Map<String, String> postingConfig = new LinkedHashMap<>(writePath);
            postingConfig.put("quarkus.datasource.reactive.url", reactiveUrl(posting));
            postingConfig.put("quarkus.datasource.jdbc.url", jdbcUrl(posting));
            postingConfig.put("posting.lock-mode", "AUTOMATIC");
            postingConfig.put("posting.events-topic", "document-events-" + run);
            String postingUrl = start(root, "posting-service", postingConfig, processes); // migrates the schema

            System.out.printf("filling %s with %,d stock movements...%n", posting, movements);
            psql(posting, PostingSeed.sql(movements, 1000));
            psql(posting, "vacuum analyze");

            Map<String, String> backupConfig = new LinkedHashMap<>();
            backupConfig.put("quarkus.datasource.reactive.url", reactiveUrl(catalog));
            backupConfig.put("quarkus.datasource.jdbc.url", jdbcUrl(catalog));
            backupConfig.put("quarkus.rest-client.maintenance-service.url", maintenanceUrl);
            backupConfig.put("backup.directory", dir.toString());
            backupConfig.put("backup.databases", posting + "," + maintenance);
            backupConfig.put("backup.frozen-databases", posting);
            backupConfig.put("backup.check.databases", posting);
            backupConfig.put("backup.restore.databases", posting);
            backupConfig.put("backup.restore.never", maintenance);
            backupConfig.put("mp.messaging.outgoing.backup-events.topic", "backup-events-" + run);
            String fromSnapshots = start(root, "backup-service", backupConfig, processes);
            backupConfig.put("backup.read-only.hold-during-dump", "true");
            String heldThroughDump = start(root, "backup-service", backupConfig, processes);

            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            for (int w = 0; w < WRITERS; w++) {
                String body = "{\"type\":\"RECEIPT\",\"lines\":[{\"item\":\"bench\",\"warehouse\":\"W" + w
                        + "\",\"quantity\":1}]}";
                writers.submit(() -> {
                    while (writing.get()) {
                        try {
                            int status = HTTP.send(
                                            HttpRequest.newBuilder(URI.create(postingUrl + "/v1/documents"))
                                                    .header("Authorization", Tokens.bearer())
                                                    .header("Content-Type", "application/json")
                                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode();
                            answers.add(new Answer(System.nanoTime(), status == 201));
                            if (status != 201) {
                                Thread.sleep(
                                        20); // a refused writer retries soon, as a client honouring Retry-After would
                            }
                        } catch (IOException e) {
                            answers.add(new Answer(System.nanoTime(), false));
                        }
                    }
                    return null;
                });
            }
            long quietStart = System.nanoTime();
            Thread.sleep(5_000);
            double quiet = postedPerSecond(answers, quietStart, System.nanoTime());
            outcomes.add(backup(fromSnapshots, maintenanceUrl, "from snapshots", movements, answers));
            outcomes.add(backup(heldThroughDump, maintenanceUrl, "read-only through the dump", movements, answers));
            return quiet;
        } finally {
            writing.set(false);
            writers.shutdown();
            writers.awaitTermination(30, TimeUnit.SECONDS);
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

    /** One auto backup; the posted rate is counted from its request until the dump ended (status VERIFYING). */
    private static Outcome backup(
            String backupUrl, String maintenanceUrl, String how, int movements, ConcurrentLinkedQueue<Answer> answers)
            throws Exception {
        long requested = System.nanoTime();
        JsonNode created = post(
                backupUrl + "/v1/backups",
                "{\"label\":\"bench " + movements + " " + how + "\",\"maintenance\":\"auto\"}");
        String id = created.get("id").asText();
        long dumped = 0;
        JsonNode backup;
        do {
            Thread.sleep(50); // polling the answer, not waiting for it to happen
            backup = get(backupUrl + "/v1/backups/" + id);
            if (dumped == 0
                    && !List.of("WAITING_FOR_DRAIN", "RUNNING")
                            .contains(backup.get("status").asText())) {
                dumped = System.nanoTime();
            }
        } while (!List.of("SUCCEEDED", "FAILED").contains(backup.get("status").asText()));
        if (!"SUCCEEDED".equals(backup.get("status").asText())) {
            throw new IllegalStateException(
                    "backup " + how + " failed: " + backup.get("error").asText());
        }
        JsonNode t = backup.get("timings");
        long window = windowFromHistory(get(maintenanceUrl + "/v1/maintenance/history?limit=1000"), id);
        long bytes = 0;
        for (JsonNode artifact : backup.get("artifacts")) {
            bytes += artifact.get("bytes").asLong();
        }
        return new Outcome(
                how,
                window,
                t.get("drainMs").asLong(),
                t.get("dumpMs").asLong(),
                postedPerSecond(answers, requested, dumped),
                bytes);
    }

    private static double postedPerSecond(ConcurrentLinkedQueue<Answer> answers, long from, long to) {
        long posted = answers.stream()
                .filter(a -> a.posted() && a.atNanos() >= from && a.atNanos() <= to)
                .count();
        return posted / Math.max(1e-9, (to - from) / 1e9);
    }

    private static String reactiveUrl(String database) {
        return "postgresql://" + DB_HOST + ":" + DB_PORT + "/" + database;
    }

    private static String jdbcUrl(String database) {
        return "jdbc:postgresql://" + DB_HOST + ":" + DB_PORT + "/" + database;
    }

    /** From maintenance-service's own history: the read-only entry held by the backup to the next read-write. */
    static long windowFromHistory(JsonNode history, String backupId) {
        List<JsonNode> entries = new ArrayList<>();
        history.forEach(entries::add);
        entries.sort(Comparator.comparing(e -> Instant.parse(e.get("at").asText())));
        Instant flip = null;
        for (JsonNode entry : entries) {
            String action = entry.get("action").asText();
            if (flip == null
                    && "read-only".equals(action)
                    && ("backup:" + backupId).equals(entry.path("heldBy").asText())) {
                flip = Instant.parse(entry.get("at").asText());
            } else if (flip != null && ("read-write".equals(action) || "expired".equals(action))) {
                return Duration.between(flip, Instant.parse(entry.get("at").asText()))
                        .toMillis();
            }
        }
        return -1;
    }

    private static String start(Path root, String module, Map<String, String> config, List<Process> processes)
            throws IOException, InterruptedException {
        int port;
        int managementPort; // health and metrics: the management interface
        try (ServerSocket socket = new ServerSocket(0);
                ServerSocket management = new ServerSocket(0)) {
            port = socket.getLocalPort();
            managementPort = management.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.console.json.enabled=false"));
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar(root, module).toString()));
        Path log = root.resolve("bench/target/" + module + "-" + port + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(process);
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited; see " + log);
            }
            try {
                if (HTTP.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        "http://127.0.0.1:" + managementPort + "/q/health/ready"))
                                                .header("Authorization", Tokens.bearer())
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
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
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", Tokens.bearer())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static JsonNode post(String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", Tokens.bearer())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
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
        psql(
                database,
                "\\set owner " + owner + "\n\\set app " + app + "\n\\set writer " + writer
                        + "\n\\set reader backup_app\n" + Files.readString(root.resolve("infra/postgres/grants.sql")));
    }

    private static void psql(String database, String sql) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(
                        "psql",
                        "-X",
                        "-q",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-h",
                        DB_HOST,
                        "-p",
                        DB_PORT,
                        "-U",
                        DB_USER,
                        "-d",
                        database)
                .redirectErrorStream(true);
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

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
