package io.suite.bench.locks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suite.bench.Table;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.redisson.Redisson;
import org.redisson.RedissonMultiLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench/run locks [seconds-per-cell] [lock-service-url] [redis-host:port]}: lock+unlock cycles
 * per second and p50/p99 at 1, 16 and 64 clients for (a) one key per client, (b) one hot key,
 * (c) one request of 10 rows per client; lock-service (begin + lock + end over HTTP, keep-alive)
 * side by side with Redisson (RLock, RedissonMultiLock over 10 RLocks) and the raw Redis ceiling
 * (SET NX PX / DEL loop on a plain socket), in the same run on the same Redis.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] CLIENTS = {1, 16, 64};

    interface Cycle {
        /** One lock + unlock of scenario {@code scenario} by client {@code client}. */
        void run(String scenario, int client) throws Exception;
    }

    /** The same, without a thread per client: the HTTP client's own threads drive the chain. */
    interface AsyncCycle {
        CompletableFuture<Void> run(String scenario, int client);
    }

    record Result(double perSecond, double p50ms, double p99ms, long failures) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        String url = args.length > 1 ? args[1] : "http://127.0.0.1:8081";
        String redisAddress = args.length > 2 ? args[2] : "127.0.0.1:6379";
        String run = UUID.randomUUID().toString().substring(0, 8);

        // A few async clients (each has one selector thread), completions run right there: no hand-offs.
        HttpClient[] https = new HttpClient[4];
        for (int i = 0; i < https.length; i++) {
            https[i] = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run).build();
        }
        Config config = new Config();
        config.useSingleServer().setAddress("redis://" + redisAddress).setConnectionPoolSize(64).setConnectionMinimumIdleSize(16)
                .setSubscriptionConnectionPoolSize(50);
        RedissonClient redisson = Redisson.create(config);
        String[] hostPort = redisAddress.split(":");
        ThreadLocal<Resp> raw = ThreadLocal.withInitial(() -> new Resp(hostPort[0], Integer.parseInt(hostPort[1])));

        AsyncCycle service = (scenario, client) -> {
            HttpClient http = https[client % https.length];
            return http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/lock-transactions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"owner\":\"bench\",\"leaseMs\":30000}")).build(),
                    HttpResponse.BodyHandlers.ofString()).thenCompose(begun -> {
                        JsonNode tx;
                        try {
                            tx = JSON.readTree(begun.body());
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                        String id = tx.get("id").asText();
                        String token = tx.get("token").asText();
                        return http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/lock-transactions/" + id + "/locks"))
                                        .header("Content-Type", "application/json").header("X-Lock-Token", token)
                                        .POST(HttpRequest.BodyPublishers.ofString(lockBody(run, scenario, client))).build(),
                                HttpResponse.BodyHandlers.ofString()).thenCompose(locked -> {
                                    if (locked.statusCode() != 200) {
                                        throw new IllegalStateException("lock: " + locked.statusCode() + " " + locked.body());
                                    }
                                    return http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/lock-transactions/" + id))
                                            .header("X-Lock-Token", token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
                                });
                    }).thenAccept(ended -> {
                        if (ended.statusCode() != 204) {
                            throw new IllegalStateException("end: " + ended.statusCode());
                        }
                    });
        };
        Cycle viaRedisson = (scenario, client) -> {
            RLock lock;
            if (scenario.equals("c")) {
                RLock[] locks = new RLock[10];
                for (int i = 0; i < 10; i++) {
                    locks[i] = redisson.getLock("bench:" + run + ":c-" + client + "-" + i);
                }
                lock = new RedissonMultiLock(locks);
            } else {
                lock = redisson.getLock("bench:" + run + ":" + key(scenario, client));
            }
            lock.lock(30, java.util.concurrent.TimeUnit.SECONDS);
            lock.unlock();
        };
        Cycle rawRedis = (scenario, client) -> {
            Resp r = raw.get();
            List<String> keys = new ArrayList<>();
            if (scenario.equals("c")) {
                for (int i = 0; i < 10; i++) {
                    keys.add("bench:" + run + ":raw:c-" + client + "-" + i);
                }
            } else {
                keys.add("bench:" + run + ":raw:" + key(scenario, client));
            }
            for (String k : keys) {
                while (!r.setNx(k, 30000)) {
                    Thread.onSpinWait(); // the ceiling: retry at once
                }
            }
            for (String k : keys) {
                r.del(k);
            }
        };

        String[][] scenarios = {{"a", "(a) one key, uncontended"}, {"b", "(b) one hot key"}, {"c", "(c) 10 rows, one request"}};
        Table table = new Table("scenario", "clients", "lock-service/s", "p50 ms", "p99 ms", "Redisson/s", "p50 ms", "p99 ms",
                "raw Redis/s", "p50 ms", "p99 ms", "service÷Redisson", "service÷raw");
        // Warm up every contender (JIT of the service, connection pools) before anything is measured.
        for (String[] s : scenarios) {
            measureAsync(service, s[0], 16, Math.max(2, seconds));
            measure(viaRedisson, s[0], 16, 1);
            measure(rawRedis, s[0], 16, 1);
        }
        System.err.println("warmed up");
        for (String[] s : scenarios) {
            for (int clients : CLIENTS) {
                Result ls = measureAsync(service, s[0], clients, seconds);
                Result rd = measure(viaRedisson, s[0], clients, seconds);
                Result rw = measure(rawRedis, s[0], clients, seconds);
                table.row(s[1], clients, f0(ls.perSecond()) + fails(ls), f2(ls.p50ms()), f2(ls.p99ms()),
                        f0(rd.perSecond()) + fails(rd), f2(rd.p50ms()), f2(rd.p99ms()),
                        f0(rw.perSecond()) + fails(rw), f2(rw.p50ms()), f2(rw.p99ms()),
                        f2(ls.perSecond() / rd.perSecond()) + "x", f2(ls.perSecond() / rw.perSecond()) + "x");
                System.err.printf("%s %d clients done%n", s[1], clients);
            }
        }
        System.out.println("lock+unlock cycles: lock-service = begin + lock + end (3 HTTP calls); Redisson = lock + unlock;"
                + " raw = SET NX PX + DEL per key. " + seconds + " s per cell.");
        System.out.print(table);
        redisson.shutdown();
        System.exit(0);
    }

    private static String fails(Result r) {
        return r.failures() > 0 ? " (" + r.failures() + " failed)" : "";
    }

    private static String key(String scenario, int client) {
        return scenario.equals("b") ? "hot" : "a-" + client;
    }

    private static String lockBody(String run, String scenario, int client) {
        String space = "bench." + run;
        if (scenario.equals("c")) {
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                rows.append(i == 0 ? "" : ",").append("{\"key\":\"c-").append(client).append('-').append(i).append("\"}");
            }
            return "{\"timeoutMs\":60000,\"items\":[{\"space\":\"" + space + "\",\"mode\":\"EXCLUSIVE\",\"rows\":[" + rows + "]}]}";
        }
        return "{\"timeoutMs\":60000,\"items\":[{\"space\":\"" + space + "\",\"mode\":\"EXCLUSIVE\",\"fields\":{\"key\":\""
                + key(scenario, client) + "\"}}]}";
    }

    /** Runs {@code clients} threads of cycles: a short warm-up, then {@code seconds} measured. */
    private static Result measure(Cycle cycle, String scenario, int clients, double seconds) throws InterruptedException {
        Histogram latency = new ConcurrentHistogram(Duration.ofSeconds(120).toNanos(), 3);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            cycle.run(scenario, client);
                        } catch (Exception e) {
                            if (failures.getAndIncrement() == 0) {
                                System.err.println(scenario + ": " + e);
                            }
                            continue;
                        }
                        if (measuring.get()) {
                            latency.recordValue(System.nanoTime() - start);
                            count.incrementAndGet();
                        }
                    }
                } finally {
                    finished.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        return window(seconds, latency, measuring, stop, count, failures, finished);
    }

    /** Warm-up, then {@code seconds} measured with {@code measuring} set; then stops the clients. */
    private static Result window(double seconds, Histogram latency, AtomicBoolean measuring, AtomicBoolean stop,
            AtomicLong count, AtomicLong failures, CountDownLatch finished) throws InterruptedException {
        Thread.sleep(Math.max(500, (long) (seconds * 300)));
        long began = System.nanoTime();
        measuring.set(true);
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        double elapsed = (System.nanoTime() - began) / 1e9;
        stop.set(true);
        finished.await();
        return new Result(count.get() / elapsed, latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                failures.get());
    }

    /** Like {@link #measure} with {@code clients} concurrent chains of async cycles. */
    private static Result measureAsync(AsyncCycle cycle, String scenario, int clients, double seconds) throws InterruptedException {
        Histogram latency = new ConcurrentHistogram(Duration.ofSeconds(120).toNanos(), 3);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            next(cycle, scenario, c, latency, measuring, stop, count, failures, finished);
        }
        return window(seconds, latency, measuring, stop, count, failures, finished);
    }

    private static void next(AsyncCycle cycle, String scenario, int client, Histogram latency, AtomicBoolean measuring,
            AtomicBoolean stop, AtomicLong count, AtomicLong failures, CountDownLatch finished) {
        if (stop.get()) {
            finished.countDown();
            return;
        }
        long start = System.nanoTime();
        cycle.run(scenario, client).whenComplete((v, e) -> {
            if (e != null) {
                if (failures.getAndIncrement() == 0) {
                    System.err.println(scenario + ": " + e);
                }
            } else if (measuring.get()) {
                latency.recordValue(System.nanoTime() - start);
                count.incrementAndGet();
            }
            // completions arrive on the HTTP client's thread after network I/O, so this is no deep recursion
            next(cycle, scenario, client, latency, measuring, stop, count, failures, finished);
        });
    }

    private static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** A minimal blocking RESP client: the raw Redis ceiling without any library in the way. */
    static final class Resp {
        private final OutputStream out;
        private final InputStream in;

        Resp(String host, int port) {
            try {
                Socket socket = new Socket(host, port);
                socket.setTcpNoDelay(true);
                out = socket.getOutputStream();
                in = new BufferedInputStream(socket.getInputStream());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean setNx(String key, long ms) throws IOException {
            return !command("SET", key, "1", "NX", "PX", String.valueOf(ms)).startsWith("$-1");
        }

        void del(String key) throws IOException {
            command("DEL", key);
        }

        private String command(String... parts) throws IOException {
            StringBuilder b = new StringBuilder("*").append(parts.length).append("\r\n");
            for (String p : parts) {
                b.append('$').append(p.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(p).append("\r\n");
            }
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return line();
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("closed");
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }
    }
}
