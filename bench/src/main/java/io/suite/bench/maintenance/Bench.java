package io.suite.bench.maintenance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.suite.bench.Table;
import io.suite.testing.PrivatePostgres;
import io.suite.testing.Tokens;

/**
 * bench/run maintenance [writers] [flips] [paused flips]: starts its own PostgreSQL cluster, maintenance-service,
 * lock-service and two posting-service replicas (own topics, the shared Kafka and Redis), has
 * N writers post receipts to both replicas, and flips read-only and back 20 times. Per flip:
 * time from the POST read-only to the last write path refusing writes (the moment its guard
 * applied the READ_ONLY epoch, from its readiness data {@code appliedAt}), to DRAINED (GET /v1/maintenance polled every ~5 ms),
 * and to the end of the last write that was in flight at the flip.
 * It never touches the real maintenance-state topic, so a running ./suite up is not disturbed.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        int writers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int flips = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int pausedFlips = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        String id = UUID.randomUUID().toString().substring(0, 8);
        String stateTopic = "bench-mstate-" + id, statusTopic = "bench-wps-" + id;
        // maintenance-service confirms its state every second: the write paths keep the default 5 s lease
        Map<String, String> guard =
                Map.of("write-guard.state-topic", stateTopic, "write-guard.status-topic", statusTopic);

        System.out.printf(
                "starting a PostgreSQL cluster of its own, maintenance-service, lock-service and 2 posting-service"
                        + " replicas (topics %s, %s)%n",
                stateTopic, statusTopic);
        // Its own cluster (the suite's roles, by infra/postgres/setup.sql): the paused-path flips fence posting_app,
        // which must never happen on the shared server. DB_PORT points every service's datasources at it.
        try (PrivatePostgres pg = PrivatePostgres.start("mbench_" + id)) {
            String dbPort = String.valueOf(pg.port());
            Map<String, String> m = new HashMap<>(Map.of(
                    "DB_PORT", dbPort, "maintenance.state-topic", stateTopic, "maintenance.status-topic", statusTopic));
            try (Service maintenance = Service.start("maintenance-service", m)) {
                Map<String, String> l = new HashMap<>(guard);
                l.put("lock.key-prefix", "bench-" + id + ":");
                try (Service lock = Service.start("lock-service", l)) {
                    Map<String, String> p = new HashMap<>(guard);
                    p.put("DB_PORT", dbPort);
                    p.put("quarkus.rest-client.lock-service.url", lock.url());
                    p.put("posting.events-topic", "bench-document-events-" + id);
                    try (Service a = Service.start("posting-service", p);
                            Service b = Service.start("posting-service", p)) {
                        run(maintenance, List.of(lock, a, b), List.of(a, b), writers, flips, id);
                        pausedPath(maintenance, b, pausedFlips);
                    }
                }
            }
        }
    }

    record Write(long start, long end, int status) {}

    private static void run(
            Service maintenance, List<Service> writePaths, List<Service> replicas, int writers, int flips, String id)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
        AtomicLong other = new AtomicLong();
        AtomicReference<String> otherAnswer = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers + writePaths.size());
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            // Each writer its own item, so writers contend on the lock-service only as much as posting does.
            String body = "{\"type\":\"RECEIPT\",\"lines\":[{\"item\":\"bench-" + id + "-" + w + "\",\"warehouse\":\"W-"
                    + id + "\",\"quantity\":1}]}";
            Service target = replicas.get(w % replicas.size());
            workers.add(pool.submit(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    HttpResponse<String> answer = post(target.url() + "/v1/documents", body);
                    int status = answer.statusCode();
                    // a 503 counts as a refusal only when it says read-only: any other problem is a broken run
                    boolean readOnly = status == 503 && answer.body().contains("/problems/read-only");
                    writes.add(new Write(start, System.nanoTime(), readOnly ? 503 : status));
                    if (status != 201 && !readOnly) {
                        other.incrementAndGet();
                        otherAnswer.compareAndSet(null, status + " " + answer.body());
                    }
                }
                return null;
            }));
        }
        String api = maintenance.url() + "/v1/maintenance";
        List<Double> answered = new ArrayList<>(),
                refusing = new ArrayList<>(),
                drained = new ArrayList<>(),
                lastWrite = new ArrayList<>(),
                slack = new ArrayList<>();
        for (int flip = 0; flip < flips; flip++) {
            Thread.sleep(500); // writers running in read-write mode
            long t0 = System.nanoTime();
            long t0Wall = System.currentTimeMillis();
            HttpResponse<String> ro = post(
                    api + "/read-only",
                    "{\"reason\":\"bench\",\"durationMs\":120000,\"drainTimeoutMs\":30000,\"requestedBy\":\"bench\"}");
            answered.add(ms(System.nanoTime() - t0));
            long epoch = JSON.readTree(ro.body()).get("epoch").asLong();
            // Each write path: when its guard shows READ_ONLY epoch (it refuses writes from then on).
            CountDownLatch all = new CountDownLatch(writePaths.size());
            List<Long> seen = Collections.synchronizedList(new ArrayList<>());
            for (Service s : writePaths) {
                pool.submit(() -> {
                    while (true) {
                        JsonNode h = JSON.readTree(
                                get(s.managementUrl() + "/q/health/ready").body());
                        for (JsonNode c : h.get("checks")) {
                            if (c.get("name").asText().equals("write-guard")
                                    && c.get("data").get("epoch").asLong() == epoch
                                    && c.get("data").get("mode").asText().equals("READ_ONLY")) {
                                // when that guard applied the state (same host clock), not when the poll saw it
                                seen.add(c.get("data").get("appliedAt").asLong() - t0Wall);
                                all.countDown();
                                return null;
                            }
                        }
                        Thread.sleep(2);
                    }
                });
            }
            long tDrained;
            while (true) {
                JsonNode s = JSON.readTree(get(api).body());
                if (s.get("epoch").asLong() == epoch && s.get("phase").asText().equals("DRAINED")) {
                    tDrained = System.nanoTime();
                    break;
                }
                Thread.sleep(5);
            }
            all.await();
            long lastEnd = t0;
            for (Write w : writes) {
                if (w.start() < t0 && w.end() > lastEnd) {
                    lastEnd = w.end();
                }
            }
            refusing.add((double) Collections.max(seen));
            drained.add(ms(tDrained - t0));
            lastWrite.add(ms(lastEnd - t0));
            slack.add(ms(tDrained - lastEnd));
            post(api + "/read-write", "{\"reason\":\"bench\",\"requestedBy\":\"bench\"}");
            System.out.printf(
                    "flip %2d epoch %d at %s: 202 %.0f ms, refusing %.0f ms, DRAINED %.0f ms, last in-flight write ended %.0f ms%n",
                    flip + 1,
                    epoch,
                    java.time.Instant.ofEpochMilli(t0Wall),
                    answered.get(flip),
                    refusing.get(flip),
                    drained.get(flip),
                    lastWrite.get(flip));
        }
        running.set(false);
        for (Future<?> f : workers) {
            f.get();
        }
        pool.shutdownNow();

        long ok = writes.stream().filter(w -> w.status() == 201).count();
        if (ok == 0 || other.get() > 0) {
            // figures taken without real writes in flight would prove nothing
            throw new IllegalStateException("writes 201: " + ok + ", other answers: " + other.get()
                    + "; the first other answer: " + otherAnswer.get());
        }
        long refused = writes.stream().filter(w -> w.status() == 503).count();
        System.out.printf(
                "%nmaintenance flips: %d writers on 2 posting replicas (+ lock-service), %d flips; "
                        + "writes 201: %d, 503 read-only: %d, other: %d%n%n",
                writers, flips, ok, refused, other.get());
        System.out.print(new Table("from the POST read-only to", "p50 ms", "p99 ms", "max ms")
                .row("its 202 (committed, on Kafka)", p(answered, 50), p(answered, 99), p(answered, 100))
                .row("last write path refusing writes", p(refusing, 50), p(refusing, 99), p(refusing, 100))
                .row("last write in flight at the flip ended", p(lastWrite, 50), p(lastWrite, 99), p(lastWrite, 100))
                .row("phase DRAINED", p(drained, 50), p(drained, 99), p(drained, 100))
                .row("DRAINED after that last write ended", p(slack, 50), p(slack, 99), p(slack, 100)));
        System.out.println(
                "\ngoals: refusing everywhere within 500 ms p99; DRAINED within the longest in-flight write + 1 s");
    }

    /**
     * DRAINED with one write path frozen (SIGSTOP of posting replica B before each flip,
     * drainTimeoutMs 2000): it can come only once that path is fenced, i.e. its READ_WRITE lease
     * (write-guard.state-max-age, 5 s) has surely ended and its database role was revoked.
     */
    private static void pausedPath(Service maintenance, Service frozen, int flips) throws Exception {
        if (flips == 0) {
            return;
        }
        long drainTimeoutMs = 2000;
        String api = maintenance.url() + "/v1/maintenance";
        List<Double> drained = new ArrayList<>();
        for (int flip = 0; flip < flips; flip++) {
            frozen.pause();
            long t0Wall = System.currentTimeMillis();
            try {
                long t0 = System.nanoTime();
                HttpResponse<String> ro = post(
                        api + "/read-only",
                        "{\"reason\":\"bench paused path\",\"durationMs\":120000,\"drainTimeoutMs\":" + drainTimeoutMs
                                + "}");
                long epoch = JSON.readTree(ro.body()).get("epoch").asLong();
                while (true) {
                    JsonNode s = JSON.readTree(get(api).body());
                    if (s.get("epoch").asLong() == epoch
                            && s.get("phase").asText().equals("DRAINED")) {
                        break;
                    }
                    Thread.sleep(5);
                }
                drained.add(ms(System.nanoTime() - t0));
            } finally {
                frozen.resume();
            }
            post(api + "/read-write", "{\"reason\":\"bench\"}");
            System.out.printf(
                    "paused-path flip %d at %s: DRAINED %.0f ms%n",
                    flip + 1, java.time.Instant.ofEpochMilli(t0Wall), drained.get(flip));
            Thread.sleep(6000); // the thawed replica hears READ_WRITE and reconnects before the next flip
        }
        System.out.print("\n"
                + new Table("one write path frozen, drainTimeoutMs " + drainTimeoutMs, "p50 ms", "p99 ms", "max ms")
                        .row("from the POST read-only to DRAINED", p(drained, 50), p(drained, 99), p(drained, 100)));
        System.out.printf(
                "goal: DRAINED within drainTimeoutMs + 3 s = %d ms (posting-service writes only in its database:"
                        + " fenced at the drain timeout, whatever its READ_WRITE lease)%n",
                drainTimeoutMs + 3000);
    }

    private static String p(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return String.format("%.0f", sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", Tokens.bearer())
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", Tokens.bearer())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
