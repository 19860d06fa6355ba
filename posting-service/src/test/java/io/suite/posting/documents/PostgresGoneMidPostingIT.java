package io.suite.posting.documents;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.suite.testing.Kafka;
import io.suite.testing.PrivatePostgres;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.suite.posting.Api.line;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL gone mid-posting. posting-service (a process) runs on a PostgreSQL cluster of this test's own;
 * a shipment's one-statement write waits for a Stock row another session holds, and then the cluster
 * crashes. The shipment gets 503 {@code outcome-unknown} (never a 500); while the cluster is down, new calls
 * get 503 {@code database-unavailable} with Retry-After; once it is back, the same request with the same
 * Idempotency-Key is safe: one document, the stock moved once, the registers consistent. And a write on a session
 * the fence ended before the write began is sent again on a fresh connection ({@link SessionRelay}).
 */
class PostgresGoneMidPostingIT {
    private static final String PROBLEM = "application/problem+json";
    private static final String RUN = Unique.name("pggone").replace('-', '_');
    private static ReadWriteConfirmations confirmations;
    private static PrivatePostgres cluster;
    /** posting-service reaches the cluster through it. */
    private static SessionRelay relay;

    private static ServiceProcess lock;
    private static ServiceProcess posting;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        String stateTopic = "mstate-" + RUN;
        // the write paths must know the system is writable: READ_WRITE on this run's own state topic, confirmed
        // every second as maintenance-service does (a write path holds READ_WRITE only as a lease)
        confirmations = new ReadWriteConfirmations(stateTopic);
        cluster = PrivatePostgres.start(RUN);
        relay = new SessionRelay(cluster.port());
        lock = ServiceProcess.start(
                "lock-service",
                Map.of(
                        "lock.key-prefix",
                        RUN + ":",
                        "write-guard.state-topic",
                        stateTopic,
                        "write-guard.status-topic",
                        "wps-" + RUN));
        posting = ServiceProcess.start("posting-service", postingConfig(relay.port(), lock, RUN));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {posting, lock, relay, cluster, confirmations}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // close the rest anyway
            }
        }
    }

    /**
     * maintenance-service's fence ends every session of posting's role (pg_terminate_backend) while a replica is
     * stalled, and writes reach it before it has noticed: its pool still holds the ended sessions. A write whose
     * first statement fails so has sent nothing that could commit: it is sent again on a fresh connection and
     * answered 201, not 503 or 500, and stored once.
     */
    @Test
    void aWriteOnAConnectionTheFenceEndedIsSentAgainOnAFreshOne() throws Exception {
        String base = posting.url();
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        List<CompletableFuture<HttpResponse<String>>> warm = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // several connections in the pool, each to be ended
            warm.add(postAsync(base, null, doc("RECEIPT", "W" + i + "-" + RUN, item, wh, 10)));
        }
        for (CompletableFuture<HttpResponse<String>> w : warm) {
            assertEquals(201, w.get(60, TimeUnit.SECONDS).statusCode());
        }
        List<String> numbers = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> after = new ArrayList<>();
        relay.stall(); // a stalled replica: it hears of its ended sessions only when it uses them
        try {
            try (Connection admin = cluster.connect("posting");
                    ResultSet rs = admin.createStatement()
                            .executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))"
                                    + " FROM pg_stat_activity WHERE usename = 'posting_app'")) {
                rs.next();
                assertTrue(rs.getLong(1) > 0, "posting's sessions were ended");
            }
            for (int i = 0; i < 8; i++) {
                // shipments (under managed locks) and drafts (straight to the database)
                String number = "F" + i + "-" + RUN;
                numbers.add(number);
                String body = i % 2 == 0
                        ? doc("SHIPMENT", number, item, wh, 1)
                        : doc("RECEIPT", number, item, wh, 1).replaceFirst("\\{", "{\"post\":false,");
                after.add(postAsync(base, i % 4 < 2 ? "fenced-" + number : null, body)); // with a key and without
            }
            for (CompletableFuture<HttpResponse<String>> a : after) {
                a.get(60, TimeUnit.SECONDS);
            }
        } finally {
            relay.catchUp();
        }
        for (CompletableFuture<HttpResponse<String>> a : after) {
            HttpResponse<String> answer = a.get(60, TimeUnit.SECONDS);
            assertEquals(201, answer.statusCode(), answer.body());
        }
        for (String number : numbers) {
            assertEquals(1, count(cluster, "SELECT count(*) FROM documents WHERE number = '" + number + "'"));
        }
        assertEquals(76, count(cluster, "SELECT quantity FROM stock_balances WHERE item = '" + item + "'"));
    }

    @Test
    void aShipmentWhoseConnectionDiesIsOutcomeUnknownAndItsRetryPostsItOnce() throws Exception {
        String run = RUN;
        String base = posting.url();
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        assertEquals(
                201, post(base, null, doc("RECEIPT", "R-" + run, item, wh, 10)).statusCode());

        String number = "S-" + run;
        String shipment = doc("SHIPMENT", number, item, wh, 3);
        String key = "key-" + run;
        HttpResponse<String> first;
        try (Connection holder = cluster.connect("posting")) {
            holder.setAutoCommit(false);
            try (PreparedStatement lockRow = holder.prepareStatement(
                    "SELECT quantity FROM stock_balances WHERE item = ? AND warehouse = ? FOR UPDATE")) {
                lockRow.setString(1, item);
                lockRow.setString(2, wh);
                lockRow.executeQuery().close();
            }
            CompletableFuture<HttpResponse<String>> answer = postAsync(base, key, shipment);
            await().atMost(Duration.ofSeconds(30)).until(() -> answer.isDone() || aWriteWaitsOnStock(cluster));
            assertFalse(
                    answer.isDone(),
                    () -> "answered before the crash: " + answer.join().body());
            cluster.crash();
            relay.refuse();
            first = answer.get(60, TimeUnit.SECONDS);
        }
        assertEquals(503, first.statusCode(), first.body());
        assertTrue(
                first.headers().firstValue("Content-Type").orElse("").startsWith(PROBLEM),
                first.headers().toString());
        assertEquals(
                "https://suite.dev/problems/outcome-unknown",
                JsonPath.from(first.body()).getString("type"));
        assertTrue(first.headers().firstValue("Retry-After").isPresent());

        // down: nothing can be sent, and every call says so (never a 500)
        HttpResponse<String> down = post(base, null, doc("RECEIPT", "R2-" + run, item, wh, 1));
        assertEquals(503, down.statusCode(), down.body());
        assertEquals(
                "https://suite.dev/problems/database-unavailable",
                JsonPath.from(down.body()).getString("type"));
        assertTrue(down.headers().firstValue("Retry-After").isPresent());
        HttpResponse<String> read = get(base, "/v1/balances?item=" + item);
        assertEquals(503, read.statusCode(), read.body());
        assertEquals(
                "https://suite.dev/problems/database-unavailable",
                JsonPath.from(read.body()).getString("type"));

        cluster.start();
        relay.open();
        // the client's part: send the same request with the same key again, while 503 says so
        HttpResponse<String>[] retry = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> (retry[0] = post(base, key, shipment)).statusCode() != 503);
        assertEquals(201, retry[0].statusCode(), retry[0].body());
        String id = JsonPath.from(retry[0].body()).getString("id");
        HttpResponse<String> again = post(base, key, shipment);
        assertEquals(201, again.statusCode());
        assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(id, JsonPath.from(again.body()).getString("id"));

        assertEquals(1, count(cluster, "SELECT count(*) FROM documents WHERE number = '" + number + "'"));
        assertEquals(7, count(cluster, "SELECT quantity FROM stock_balances WHERE item = '" + item + "'"));
        HttpResponse<String> check = get(base, "/v1/registers/check");
        assertEquals(200, check.statusCode());
        assertTrue(JsonPath.from(check.body()).getBoolean("consistent"), check.body());
        assertNotEquals(0, count(cluster, "SELECT count(*) FROM idempotency_keys WHERE key = '" + key + "'"));
    }

    /** DB_PORT: the private cluster (through the relay), with the suite's real roles (posting serves as posting_app). */
    private static Map<String, String> postingConfig(int dbPort, ServiceProcess lock, String run) {
        Map<String, String> config = new HashMap<>();
        config.put("DB_PORT", String.valueOf(dbPort));
        config.put("quarkus.rest-client.lock-service.url", lock.url());
        config.put("write-guard.state-topic", "mstate-" + run);
        config.put("write-guard.status-topic", "wps-" + run);
        config.put("posting.events-topic", "document-events-" + run);
        return config;
    }

    /** READ_WRITE epoch 1 on {@code topic}, sent now and every second until closed. */
    private static final class ReadWriteConfirmations implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();

        ReadWriteConfirmations(String topic) throws Exception {
            Properties p = new Properties();
            p.put("bootstrap.servers", Kafka.SERVERS);
            p.put("key.serializer", StringSerializer.class.getName());
            p.put("value.serializer", StringSerializer.class.getName());
            producer = new KafkaProducer<>(p);
            String since = Instant.now().toString();
            Runnable confirm = () -> producer.send(new ProducerRecord<>(
                    topic,
                    "state",
                    "{\"mode\":\"READ_WRITE\",\"epoch\":1," + "\"reason\":\"test\",\"since\":\"" + since
                            + "\",\"confirmedAt\":\"" + Instant.now() + "\"}"));
            confirm.run();
            producer.flush();
            every.scheduleAtFixedRate(confirm, 1, 1, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            every.shutdownNow();
            producer.close();
        }
    }

    private static String doc(String type, String number, String item, String wh, int quantity) {
        return "{\"type\":\"" + type + "\",\"number\":\"" + number + "\",\"date\":\"2026-11-22\",\"lines\":["
                + line(item, wh, quantity) + "]}";
    }

    /** The posting's statement waits for the row the holder locked (nothing else runs on this cluster). */
    private static boolean aWriteWaitsOnStock(PrivatePostgres cluster) throws SQLException {
        return count(cluster, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") > 0;
    }

    private static long count(PrivatePostgres cluster, String sql) throws SQLException {
        try (Connection c = cluster.connect("posting");
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private HttpRequest.Builder request(String base, String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", Tokens.bearer());
    }

    private HttpResponse<String> post(String base, String key, String body) throws Exception {
        return postAsync(base, key, body).get(60, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String base, String key, String body) {
        HttpRequest.Builder r = request(base, "/v1/documents")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            r.header("Idempotency-Key", key);
        }
        return http.sendAsync(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String path) throws Exception {
        return http.send(request(base, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
