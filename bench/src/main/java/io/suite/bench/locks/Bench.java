package io.suite.bench.locks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.redisson.Redisson;
import org.redisson.RedissonMultiLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import io.suite.bench.ServiceJars;
import io.suite.bench.Table;
import io.suite.testing.MaintenanceStates;
import io.suite.testing.Tokens;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * {@code bench/run locks [seconds-per-cell] [lock-service-url] [redis-host:port] [clients=1,16,64] [scenarios=a,b,c]
 * [before=<git revision>]}: lock+unlock cycles
 * per second and p50/p99 at 1, 16 and 64 clients for (a) one key per client, (b) one hot key,
 * (c) one request of 10 rows per client. Contenders, in the same run on the same Redis:
 * <ul>
 * <li>lock-service in 2 calls: begin with items (the transaction begun and its items granted at once) + end;</li>
 * <li>lock-service in 3 calls: begin + lock + end;</li>
 * <li>Redisson: RLock, RedissonMultiLock over 10 RLocks;</li>
 * <li>Redisson fair: the same over getFairLock (FIFO like the service: the like-for-like peer on a hot key);</li>
 * <li>the raw Redis ceiling: SET NX PX / DEL loop on a plain socket;</li>
 * <li>with {@code before=<rev>}: lock-service in 2 calls as it was at that revision (built in bench/target), beside
 * today's, both started here the same way (what a change, e.g. checking tokens, costs).</li>
 * </ul>
 * The service is driven by the Vert.x HTTP client (HTTP/1.1 keep-alive, two event loops, each client a chain
 * of async cycles): the JDK client spent more CPU than the service on a 2-core machine. A lock-service without
 * the 2-call form answers 400, which shows as failures in that column.
 */
public final class Bench {
    /** {@code clients=1,16,64} and {@code scenarios=a,b,c} (arguments or {@code -Dbench.*}) narrow a run, e.g. to one cell. */
    private static int[] clients() {
        return Arrays.stream(System.getProperty("bench.clients", "1,16,64").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
    }

    private static final String TX = "/v1/lock-transactions";
    /** Just above the lock wait (timeoutMs 60000), so only a stuck service trips it, not a long wait. */
    private static final long REQUEST_IDLE_MS = 65_000;

    interface Cycle {
        /** One lock + unlock of scenario {@code scenario} by client {@code client}. */
        void run(String scenario, int client) throws Exception;
    }

    /** The same, without a thread per client: it completes on an event loop, which starts the next one. */
    interface AsyncCycle {
        Future<Void> run(String scenario, int client);
    }

    record Result(double perSecond, double p50ms, double p99ms, long failures) {}

    /** A response read in full, so its connection is back in the pool before the next call. */
    record Reply(int status, Buffer body) {
        Future<JsonObject> expect(int expected, String call) {
            if (status != expected) {
                return Future.failedFuture(new IllegalStateException(call + ": " + status + " " + body));
            }
            return Future.succeededFuture(body.length() == 0 ? null : body.toJsonObject());
        }
    }

    public static void main(String[] all) throws Exception {
        // key=value arguments set bench.key; the others are positional
        List<String> positional = new ArrayList<>();
        for (String a : all) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                System.setProperty("bench." + a.substring(0, eq), a.substring(eq + 1));
            } else {
                positional.add(a);
            }
        }
        String[] args = positional.toArray(String[]::new);
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        String redisAddress = args.length > 2 ? args[2] : "127.0.0.1:6379";
        String run = UUID.randomUUID().toString().substring(0, 8);
        // before=<rev>: the same 2-call cycle against lock-service as it was at that revision (e.g. before
        // tokens were checked: what authentication costs), started here on the same Redis. Without a URL,
        // today's is started here too, the same way, so that the two differ only in their code.
        String before = System.getProperty("bench.before", "");
        ServiceJars jars = before.isEmpty() ? null : new ServiceJars("lock-service");
        String topics = "bench-locks-" + run;
        Map<String, String> serviceConfig = MaintenanceStates.writePath(topics + "-mstate", topics + "-wps");
        if (jars != null) {
            MaintenanceStates.publishReadWrite(topics + "-mstate");
        }
        String url = args.length > 1
                ? args[1]
                : jars != null ? startLockService(jars, null, serviceConfig, run + "-today") : "http://127.0.0.1:8081";

        // Two event loops are plenty for the client and leave the CPU to the service under test.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        URI base = URI.create(url);
        HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort() < 0 ? 80 : base.getPort())
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setPipelining(false)
                .setMaxPoolSize(64)); // a connection per client at the most clients: no cycle queues for one
        Config config = new Config();
        config.useSingleServer()
                .setAddress("redis://" + redisAddress)
                .setConnectionPoolSize(64)
                .setConnectionMinimumIdleSize(16)
                .setSubscriptionConnectionPoolSize(50);
        RedissonClient redisson = Redisson.create(config);
        String[] hostPort = redisAddress.split(":");
        ThreadLocal<Resp> raw = ThreadLocal.withInitial(() -> new Resp(hostPort[0], Integer.parseInt(hostPort[1])));

        AsyncCycle twoCalls = twoCalls(http, run);
        AsyncCycle twoCallsBefore = null;
        if (jars != null) {
            URI oldBase = URI.create(startLockService(jars, before, serviceConfig, run + "-before"));
            twoCallsBefore = twoCalls(
                    vertx.createHttpClient(new HttpClientOptions()
                            .setDefaultHost(oldBase.getHost())
                            .setDefaultPort(oldBase.getPort())
                            .setKeepAlive(true)
                            .setTcpNoDelay(true)
                            .setPipelining(false)
                            .setMaxPoolSize(64)),
                    run);
        }
        AsyncCycle threeCalls =
                (scenario, client) -> call(http, HttpMethod.POST, TX, null, "{\"owner\":\"bench\",\"leaseMs\":30000}")
                        .compose(begun -> begun.expect(201, "begin"))
                        .compose(tx -> call(
                                        http,
                                        HttpMethod.POST,
                                        TX + "/" + tx.getString("id") + "/locks",
                                        tx.getString("token"),
                                        lockBody(run, scenario, client))
                                // end even after a refused lock: failures must not leave transactions behind
                                .compose(locked -> end(http, tx)
                                        .compose(v -> locked.expect(200, "lock"))
                                        .mapEmpty()));
        Cycle viaRedisson = redissonCycle(name -> redisson.getLock("bench:" + run + ":" + name));
        // The service hands a key to the oldest waiter; RLock lets the unlocking client re-lock at once.
        // Redisson's fair lock is the like-for-like peer for the hot key.
        Cycle viaRedissonFair = redissonCycle(name -> redisson.getFairLock("bench:" + run + ":fair:" + name));
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

        List<String> only =
                List.of(System.getProperty("bench.scenarios", "a,b,c").split(","));
        String[][] scenarios = Arrays.stream(new String[][] {
                    {"a", "(a) one key, uncontended"}, {"b", "(b) one hot key"}, {"c", "(c) 10 rows, one request"}
                })
                .filter(s -> only.contains(s[0]))
                .toArray(String[][]::new);
        List<String> columns = new ArrayList<>(List.of(
                "scenario",
                "clients",
                "service 2 calls/s",
                "p50 ms",
                "p99 ms",
                "service 3 calls/s",
                "p50 ms",
                "p99 ms",
                "Redisson/s",
                "p50 ms",
                "p99 ms",
                "fair Redisson/s",
                "p50 ms",
                "p99 ms",
                "raw Redis/s",
                "p50 ms",
                "p99 ms",
                "2-call÷Redisson",
                "3-call÷Redisson",
                "2-call÷fair",
                "2-call÷raw"));
        if (twoCallsBefore != null) {
            columns.addAll(List.of("2 calls @" + before + "/s", "p50 ms", "p99 ms", "2-call÷@" + before));
        }
        Table table = new Table(columns.toArray(String[]::new));
        // Warm up every contender (JIT of the service, connection pools) before anything is measured.
        for (String[] s : scenarios) {
            measureAsync(vertx, "2 calls", twoCalls, s[0], 16, Math.max(2, seconds));
            if (twoCallsBefore != null) {
                measureAsync(vertx, "2 calls @" + before, twoCallsBefore, s[0], 16, Math.max(2, seconds));
            }
            measureAsync(vertx, "3 calls", threeCalls, s[0], 16, Math.max(2, seconds));
            measure(viaRedisson, s[0], 16, 1);
            measure(viaRedissonFair, s[0], 16, 1);
            measure(rawRedis, s[0], 16, 1);
        }
        System.err.println("warmed up");
        int cell = 0;
        for (String[] s : scenarios) {
            for (int clients : clients()) {
                // today's service and the one @before measured back to back, in alternating order from cell to
                // cell, so that neither always has the position the other had (A/A runs showed it matters)
                Result twoBefore = null;
                if (twoCallsBefore != null && cell % 2 == 1) {
                    twoBefore = measureAsync(vertx, "2 calls @" + before, twoCallsBefore, s[0], clients, seconds);
                }
                Result two = measureAsync(vertx, "2 calls", twoCalls, s[0], clients, seconds);
                if (twoCallsBefore != null && cell % 2 == 0) {
                    twoBefore = measureAsync(vertx, "2 calls @" + before, twoCallsBefore, s[0], clients, seconds);
                }
                cell++;
                Result three = measureAsync(vertx, "3 calls", threeCalls, s[0], clients, seconds);
                Result rd = measure(viaRedisson, s[0], clients, seconds);
                Result fair = measure(viaRedissonFair, s[0], clients, seconds);
                Result rw = measure(rawRedis, s[0], clients, seconds);
                List<Object> row = new ArrayList<>(List.of(
                        s[1],
                        clients,
                        f0(two.perSecond()) + fails(two),
                        f2(two.p50ms()),
                        f2(two.p99ms()),
                        f0(three.perSecond()) + fails(three),
                        f2(three.p50ms()),
                        f2(three.p99ms()),
                        f0(rd.perSecond()) + fails(rd),
                        f2(rd.p50ms()),
                        f2(rd.p99ms()),
                        f0(fair.perSecond()) + fails(fair),
                        f2(fair.p50ms()),
                        f2(fair.p99ms()),
                        f0(rw.perSecond()) + fails(rw),
                        f2(rw.p50ms()),
                        f2(rw.p99ms()),
                        f2(two.perSecond() / rd.perSecond()) + "x",
                        f2(three.perSecond() / rd.perSecond()) + "x",
                        f2(two.perSecond() / fair.perSecond()) + "x",
                        f2(two.perSecond() / rw.perSecond()) + "x"));
                if (twoBefore != null) {
                    row.addAll(List.of(
                            f0(twoBefore.perSecond()) + fails(twoBefore),
                            f2(twoBefore.p50ms()),
                            f2(twoBefore.p99ms()),
                            f2(two.perSecond() / twoBefore.perSecond()) + "x"));
                }
                table.row(row.toArray());
                System.err.printf("%s %d clients done%n", s[1], clients);
            }
        }
        System.out.println(
                "lock+unlock cycles: service 2 calls = begin with items + end; service 3 calls = begin + lock + end"
                        + " (HTTP/1.1 keep-alive, Vert.x client); Redisson = lock + unlock (RLock, fair = getFairLock); raw = SET NX PX + DEL per key. "
                        + seconds + " s per cell.");
        System.out.print(table);
        if (jars != null) {
            jars.close();
        }
        redisson.shutdown();
        vertx.close();
        System.exit(0);
    }

    /** lock-service of this checkout ({@code revision} null) or of another revision, on its own keys: its URL. */
    private static String startLockService(ServiceJars jars, String revision, Map<String, String> config, String keys)
            throws Exception {
        Map<String, String> all = new HashMap<>(config);
        all.put("lock.key-prefix", "bench-" + keys + ":");
        return jars.start(
                        revision == null ? jars.moduleDir("lock-service") : jars.moduleAt(revision, "lock-service"),
                        "lock-service",
                        ServiceJars.freePort(),
                        all,
                        Map.of())
                .url();
    }

    /** Begin with items + end: the transaction begun and its items granted in one call. */
    private static AsyncCycle twoCalls(HttpClient http, String run) {
        return (scenario, client) -> {
            // lockBody is {"timeoutMs":..,"items":[..]}: the begin body takes its fields after owner and lease
            String body = "{\"owner\":\"bench\",\"leaseMs\":30000,"
                    + lockBody(run, scenario, client).substring(1);
            return call(http, HttpMethod.POST, TX, null, body)
                    .compose(begun -> begun.expect(201, "begin with items"))
                    .compose(tx -> {
                        // a service that ignored the items would look fast and lock nothing
                        if (!tx.containsKey("fencingToken")) {
                            return end(http, tx)
                                    .compose(v -> Future.failedFuture(
                                            new IllegalStateException("begin with items: no fencingToken in " + tx)));
                        }
                        return end(http, tx);
                    });
        };
    }

    /** One exchange with the service; {@code token}, if any, goes in X-Lock-Token, {@code json}, if any, is the body. */
    private static Future<Reply> call(HttpClient http, HttpMethod method, String uri, String token, String json) {
        RequestOptions request = new RequestOptions()
                .setMethod(method)
                .setURI(uri)
                .setIdleTimeout(REQUEST_IDLE_MS)
                .putHeader("Authorization", Tokens.bearer());
        if (token != null) {
            request.putHeader("X-Lock-Token", token);
        }
        if (json != null) {
            request.putHeader("Content-Type", "application/json");
        }
        return http.request(request)
                .compose(r -> json == null ? r.send() : r.send(json))
                .compose(response -> response.body().map(body -> new Reply(response.statusCode(), body)));
    }

    /** Ends transaction {@code tx} (a begin reply: id and token). */
    private static Future<Void> end(HttpClient http, JsonObject tx) {
        return call(http, HttpMethod.DELETE, TX + "/" + tx.getString("id"), tx.getString("token"), null)
                .compose(ended -> ended.expect(204, "end"))
                .mapEmpty();
    }

    /** lock + unlock of RLocks made by {@code locks}: one, or a RedissonMultiLock over 10 for (c). */
    private static Cycle redissonCycle(Function<String, RLock> locks) {
        return (scenario, client) -> {
            RLock lock;
            if (scenario.equals("c")) {
                RLock[] each = new RLock[10];
                for (int i = 0; i < 10; i++) {
                    each[i] = locks.apply("c-" + client + "-" + i);
                }
                lock = new RedissonMultiLock(each);
            } else {
                lock = locks.apply(key(scenario, client));
            }
            lock.lock(30, TimeUnit.SECONDS);
            lock.unlock();
        };
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
                rows.append(i == 0 ? "" : ",")
                        .append("{\"key\":\"c-")
                        .append(client)
                        .append('-')
                        .append(i)
                        .append("\"}");
            }
            return "{\"timeoutMs\":60000,\"items\":[{\"space\":\"" + space + "\",\"mode\":\"EXCLUSIVE\",\"rows\":["
                    + rows + "]}]}";
        }
        return "{\"timeoutMs\":60000,\"items\":[{\"space\":\"" + space
                + "\",\"mode\":\"EXCLUSIVE\",\"fields\":{\"key\":\"" + key(scenario, client) + "\"}}]}";
    }

    /** One cell's measurement: clients record cycles while {@link #measuring}; {@link #run} times the window. */
    private static final class Window {
        final Histogram latency =
                new ConcurrentHistogram(Duration.ofSeconds(120).toNanos(), 3);
        final AtomicBoolean measuring = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong count = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final CountDownLatch finished;

        Window(int clients) {
            finished = new CountDownLatch(clients);
        }

        void succeeded(long startNanos) {
            if (measuring.get()) {
                latency.recordValue(System.nanoTime() - startNanos);
                count.incrementAndGet();
            }
        }

        void failed(String what, Object cause) {
            if (failures.getAndIncrement() == 0) {
                System.err.println(what + ": " + cause);
            }
        }

        /** Warm-up, then {@code seconds} measured; then stops the clients and waits for them. */
        Result run(double seconds) throws InterruptedException {
            Thread.sleep(Math.max(500, (long) (seconds * 300)));
            long began = System.nanoTime();
            measuring.set(true);
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            double elapsed = (System.nanoTime() - began) / 1e9;
            stop.set(true);
            finished.await();
            return new Result(
                    count.get() / elapsed,
                    latency.getValueAtPercentile(50) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6,
                    failures.get());
        }
    }

    /** Runs {@code clients} threads of cycles: a short warm-up, then {@code seconds} measured. */
    private static Result measure(Cycle cycle, String scenario, int clients, double seconds)
            throws InterruptedException {
        Window window = new Window(clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                try {
                    while (!window.stop.get()) {
                        long start = System.nanoTime();
                        try {
                            cycle.run(scenario, client);
                            window.succeeded(start);
                        } catch (Exception e) {
                            window.failed(scenario, e);
                        }
                    }
                } finally {
                    window.finished.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        return window.run(seconds);
    }

    /** Like {@link #measure} with {@code clients} chains of async cycles, spread over the event loops. */
    private static Result measureAsync(
            Vertx vertx, String name, AsyncCycle cycle, String scenario, int clients, double seconds)
            throws InterruptedException {
        Window window = new Window(clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            // off an event loop, each new context takes the next loop in turn
            Context context = vertx.getOrCreateContext();
            context.runOnContext(v -> next(name, cycle, scenario, client, window));
        }
        return window.run(seconds);
    }

    private static void next(String name, AsyncCycle cycle, String scenario, int client, Window window) {
        if (window.stop.get()) {
            window.finished.countDown();
            return;
        }
        long start = System.nanoTime();
        cycle.run(scenario, client).onComplete(done -> {
            if (done.failed()) {
                window.failed(name + ", " + scenario, done.cause());
            } else {
                window.succeeded(start);
            }
            // every cycle waits for the network at least once, so this runs on a fresh event-loop stack, no deep
            // recursion
            next(name, cycle, scenario, client, window);
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
                b.append('$')
                        .append(p.getBytes(StandardCharsets.UTF_8).length)
                        .append("\r\n")
                        .append(p)
                        .append("\r\n");
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
