package io.suite.bench.posting;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.suite.bench.BenchArgs;
import io.suite.bench.ServiceJars;
import io.suite.bench.Table;
import io.suite.testing.MaintenanceStates;
import io.suite.testing.Tokens;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * posting-service: documents/s and p99 for MANAGED vs its peers (MANAGED_ALONE, FOR_UPDATE_GROUPED: the
 * same groups under PostgreSQL row locks, AUTOMATIC, FOR_UPDATE), side by side in one run, with 1/8/32/64
 * concurrent posters on a Zipf-skewed (item, warehouse) mix with balance control, each mode with one
 * posting-service and with {@code replicas} (3) behind a client that spreads the requests round-robin.
 * Starts its own lock-service and the posting-service processes against the same database {@code posting}
 * (a contender of another revision on a fresh database of its own).
 *
 * <p>The load is driven by the Vert.x HTTP client (HTTP/1.1 keep-alive, two event loops, each poster a chain of
 * async requests, no thread per poster): the JDK client spent a large share of the 2-core machine's CPU. Setup
 * calls (seed, metrics, register check) stay on the blocking JDK client.
 *
 * <p>Settings ({@code key=value} arguments or {@code -Dbench.key}): {@code bench.seconds} (per cell, default 8), {@code bench.warmup} (2),
 * {@code bench.prewarm} (at most 240 s a mode before the first cell, see {@link #prewarm}), {@code bench.jit-quiet} (5, % of a core),
 * {@code bench.posters} (1,8,32,64), {@code bench.items} (100), {@code bench.warehouses} (5),
 * {@code bench.zipf} (1.1), {@code bench.lines} (3, most lines per document), {@code bench.modes}
 * (MANAGED,MANAGED_ALONE,FOR_UPDATE_GROUPED,AUTOMATIC,FOR_UPDATE), {@code bench.replicas} (1,3: each mode with
 * one instance and with three), {@code bench.repeat} (1: rounds over every cell, in a rotated order),
 * {@code bench.db} (posting), {@code bench.db-pool} (20 connections a single service), {@code bench.replica-db-pool}
 * (10 connections each replica: PostgreSQL's 100 are shared with everything else on the machine).
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Well above the longest answer (lock wait 10 s, lock-service read timeout 15 s): only a stuck service trips it. */
    private static final long REQUEST_IDLE_MS = 30_000;

    private final int seconds = Integer.getInteger("bench.seconds", 8);
    private final int warmup = Integer.getInteger("bench.warmup", 2);
    /** Most seconds a mode is pre-warmed before the first cell (see {@link #prewarm}); 0 skips it. */
    private final int prewarm = Integer.getInteger("bench.prewarm", 240);
    /** Pre-warming ends when the JIT compilers of the mode's processes used less than this % of a core. */
    private final int jitQuiet = Integer.getInteger("bench.jit-quiet", 5);

    private static final int PREWARM_ROUND_SECONDS = 10;
    /** Linux USER_HZ, the unit of the times in /proc/PID/task/TID/stat. */
    private static final long CLOCK_TICKS = 100;

    private final int[] posters = Arrays.stream(
                    System.getProperty("bench.posters", "1,8,32,64").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    private final int items = Integer.getInteger("bench.items", 100);
    private final int warehouses = Integer.getInteger("bench.warehouses", 5);
    private final int maxLines = Integer.getInteger("bench.lines", 3);
    /** Connections of a single posting-service (all of them share PostgreSQL's max_connections, 100 by default). */
    private final int dbPool = Integer.getInteger("bench.db-pool", 20);
    /** Connections of each of several replicas. */
    private final int replicaDbPool = Integer.getInteger("bench.replica-db-pool", 10);
    /** Posting-service instances of each mode: every mode runs once per count, the same run. */
    private final int[] replicas = Arrays.stream(
                    System.getProperty("bench.replicas", "1,3").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    /** Rounds over every cell; each round (and each poster count) starts the contenders at another place. */
    private final int repeat = Integer.getInteger("bench.repeat", 1);
    /** Idle connections are closed: a contender between its cells does not keep PostgreSQL's slots. */
    private static final String DB_IDLE_TIMEOUT = "PT10S";

    private final double zipf = Double.parseDouble(System.getProperty("bench.zipf", "1.1"));
    /** MANAGED with every document alone (posting.group-max-documents=1): what grouping adds, in the same run. */
    private static final String MANAGED_ALONE = "MANAGED_ALONE";

    /**
     * {@code before=<git revision>}: MANAGED as posting-service and lock-service were at that revision, beside today's
     * (what a refactor, or authentication, costs).
     */
    private final String before = System.getProperty("bench.before", "");

    private final String[] MODES = (System.getProperty(
                            "bench.modes", "MANAGED," + MANAGED_ALONE + ",FOR_UPDATE_GROUPED,AUTOMATIC,FOR_UPDATE")
                    + (before.isEmpty() ? "" : ",MANAGED@" + before))
            .split(",");
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Process> processByUrl = new java.util.concurrent.ConcurrentHashMap<>();
    /** A service's API URL -> its management interface (where /q/metrics is). */
    private final Map<String, String> managementByUrl = new java.util.concurrent.ConcurrentHashMap<>();
    // Two event loops are plenty for the client and leave the CPU to the services under test.
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final io.vertx.core.http.HttpClient load = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setPipelining(false)
            .setConnectTimeout(5000)
            // a connection per poster at the most posters (the pool is per service): no request queues for one
            .setMaxPoolSize(Math.max(1, Arrays.stream(posters).max().orElse(1))));

    /** Arguments {@code key=value} set {@code bench.key}, e.g. {@code bench/run posting seconds=4 posters=8,32}. */
    public static void main(String[] args) throws Exception {
        BenchArgs.apply(args);
        Bench bench = new Bench();
        try {
            bench.run();
        } finally {
            bench.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * One contender: a mode on {@code urls.size()} posting-service instances;
     * {@code name} is the mode, with " x3" for three replicas; {@code lockService}: the API URL of the
     * lock-service a MANAGED contender uses, else null.
     */
    record Contender(
            String name, String mode, int replicas, List<String> urls, List<Process> processes, String lockService) {
        /** Safe in an item name. */
        String tag() {
            return name.replaceAll("[^A-Za-z0-9@_-]", "-");
        }
    }

    static String name(String mode, int replicas) {
        return replicas == 1 ? mode : mode + " x" + replicas;
    }

    record Cell(
            String mode,
            int posters,
            long ok,
            long rejected,
            long failed,
            long retries,
            double docsPerSecond,
            double p50Ms,
            double p99Ms,
            double lockWaitMs,
            double groupWaitMs,
            double docsPerGroup,
            double queuedMs) {
        /** The rounds of one cell: counts summed, rates and times their mean (p50/p99: the mean of each round's). */
        static Cell mean(List<Cell> rounds) {
            Cell first = rounds.get(0);
            int k = rounds.size();
            return new Cell(
                    first.mode(),
                    first.posters(),
                    rounds.stream().mapToLong(Cell::ok).sum(),
                    rounds.stream().mapToLong(Cell::rejected).sum(),
                    rounds.stream().mapToLong(Cell::failed).sum(),
                    rounds.stream().mapToLong(Cell::retries).sum(),
                    rounds.stream().mapToDouble(Cell::docsPerSecond).sum() / k,
                    rounds.stream().mapToDouble(Cell::p50Ms).sum() / k,
                    rounds.stream().mapToDouble(Cell::p99Ms).sum() / k,
                    rounds.stream().mapToDouble(Cell::lockWaitMs).sum() / k,
                    rounds.stream().mapToDouble(Cell::groupWaitMs).sum() / k,
                    rounds.stream().mapToDouble(Cell::docsPerGroup).sum() / k,
                    rounds.stream().mapToDouble(Cell::queuedMs).sum() / k);
        }
    }

    private void run() throws Exception {
        try (ServiceJars jars = new ServiceJars("lock-service", "posting-service")) {
            run(jars);
        }
    }

    private String start(ServiceJars jars, String module, Map<String, String> config) throws Exception {
        return start(jars, jars.moduleDir(module), module, config);
    }

    private String start(ServiceJars jars, Path moduleDir, String module, Map<String, String> config) throws Exception {
        ServiceJars.Service service = jars.start(moduleDir, module, ServiceJars.freePort(), config, Map.of());
        processByUrl.put(service.url(), service.process());
        managementByUrl.put(service.url(), service.managementUrl());
        return service.url();
    }

    private void run(ServiceJars jars) throws Exception {
        String topics = "bench-" + run;
        // no maintenance-service here: READ_WRITE published once, a lease as long as the run
        MaintenanceStates.publishReadWrite(topics + "-mstate");
        Map<String, String> lockConfig =
                new LinkedHashMap<>(MaintenanceStates.writePath(topics + "-mstate", topics + "-wps"));
        lockConfig.put("lock.key-prefix", "bench-" + run + ":");
        String currentLock = start(jars, "lock-service", lockConfig);
        // MANAGED@rev talks to a lock-service of its own revision (the two speak the same API, but not always
        // the same tokens: before #17 posting-service sent none), on its own keys
        Map<String, String> lockOf = new LinkedHashMap<>();
        for (String mode : MODES) {
            if (mode.startsWith("MANAGED@")) {
                Map<String, String> own = new LinkedHashMap<>(lockConfig);
                own.put("lock.key-prefix", "bench-" + run + "-before:");
                lockOf.put(
                        mode,
                        start(
                                jars,
                                jars.moduleAt(mode.substring("MANAGED@".length()), "lock-service"),
                                "lock-service",
                                own));
            } else {
                lockOf.put(mode, currentLock);
            }
        }
        // MANAGED@rev on a database of its own, made now: its Flyway does not know today's migrations
        String revDb = before.isEmpty() ? null : RevisionDatabase.create("bench_" + run + "_rev");
        List<Contender> contenders = new ArrayList<>();
        for (int count : replicas) {
            for (String mode : MODES) {
                // the revision's contender too runs with every replica count asked for (replicas=3: what a change
                // does to MANAGED on three replicas, against the code before it)
                boolean rev = mode.startsWith("MANAGED@");
                Map<String, String> settings = new LinkedHashMap<>(Map.of(
                        "posting.lock-mode",
                        managed(mode) ? "MANAGED" : mode,
                        "quarkus.rest-client.lock-service.url",
                        lockOf.get(mode),
                        "quarkus.datasource.reactive.max-size",
                        Integer.toString(count == 1 ? dbPool : replicaDbPool),
                        "quarkus.datasource.reactive.idle-timeout",
                        DB_IDLE_TIMEOUT,
                        "DB_NAME",
                        rev ? revDb : System.getProperty("bench.db", "posting"),
                        "write-guard.state-topic",
                        topics + "-mstate",
                        "write-guard.status-topic",
                        topics + "-wps",
                        "write-guard.state-max-age",
                        MaintenanceStates.LONG_LEASE,
                        "posting.events-topic",
                        topics + "-document-events"));
                if (mode.equals(MANAGED_ALONE)) {
                    settings.put("posting.group-max-documents", "1");
                }
                Path moduleDir = rev
                        ? jars.moduleAt(mode.substring("MANAGED@".length()), "posting-service")
                        : jars.moduleDir("posting-service");
                List<String> urls = new ArrayList<>();
                List<Process> processes = new ArrayList<>();
                // the replicas start side by side: much of a start is waiting (Kafka, PostgreSQL, the realm)
                List<java.util.concurrent.CompletableFuture<String>> starting = new ArrayList<>();
                for (int r = 0; r < count; r++) {
                    starting.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return start(jars, moduleDir, "posting-service", settings);
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    }));
                }
                for (var u : starting) {
                    urls.add(u.join());
                    processes.add(processByUrl.get(urls.get(urls.size() - 1)));
                }
                if (managed(mode)) {
                    processes.add(processByUrl.get(lockOf.get(mode)));
                }
                contenders.add(new Contender(
                        name(mode, count), mode, count, urls, processes, managed(mode) ? lockOf.get(mode) : null));
            }
        }
        try {
            measure(contenders);
        } finally {
            if (revDb != null) {
                jars.close(); // the database is dropped once nobody is connected
                RevisionDatabase.drop(revDb);
            }
        }
    }

    private void measure(List<Contender> contenders) throws Exception {
        System.out.printf(
                "posting bench %s: %d items x %d warehouses, Zipf s=%.2f, %ds per cell (+%ds warm-up), posters %s,"
                        + " replicas %s, %d round(s)%n",
                run,
                items,
                warehouses,
                zipf,
                seconds,
                warmup,
                Arrays.toString(posters),
                Arrays.toString(replicas),
                repeat);
        for (Contender c : contenders) {
            System.out.printf(
                    "  %-22s %s%n", c.name(), String.join(" ", c.urls())); // which process is whose (JFR, logs)
            seed(c.urls().get(0), c.tag());
        }
        for (Contender c : contenders) {
            prewarm(c);
        }
        Map<String, List<Cell>> measured = new LinkedHashMap<>();
        int turn = 0;
        for (int round = 0; round < repeat; round++) {
            for (int n : posters) {
                // every cell starts the contenders at another place: none always follows the same one, none is
                // always first after the idle of the others (A/A runs of the locks bench showed position matters)
                int shift = turn++ % contenders.size();
                for (int i = 0; i < contenders.size(); i++) {
                    Contender contender = contenders.get((i + shift) % contenders.size());
                    Cell c = cell(contender, n, seconds);
                    measured.computeIfAbsent(contender.name() + "/" + n, k -> new ArrayList<>())
                            .add(c);
                    System.out.printf(
                            "  %-22s %3d posters: %8.1f docs/s  p99 %7.1f ms  ok %d  422 %d  failed %d  retries %d"
                                    + "  lock wait %.1f ms (in lock-service %.1f)  group wait %.1f ms  docs/group %.1f%n",
                            c.mode(),
                            n,
                            c.docsPerSecond(),
                            c.p99Ms(),
                            c.ok(),
                            c.rejected(),
                            c.failed(),
                            c.retries(),
                            c.lockWaitMs(),
                            c.queuedMs(),
                            c.groupWaitMs(),
                            c.docsPerGroup());
                }
            }
        }
        List<Cell> cells = new ArrayList<>();
        for (int n : posters) {
            for (Contender contender : contenders) {
                cells.add(Cell.mean(measured.get(contender.name() + "/" + n)));
            }
        }
        Map<String, JsonNode> checks = new LinkedHashMap<>();
        for (Contender c : contenders) {
            // one check a database: today's, and the revision's own
            checks.computeIfAbsent(
                    c.mode().startsWith("MANAGED@") ? c.mode() : "today",
                    k -> check(c.urls().get(0)));
        }

        Table table = new Table(
                "posters",
                "mode",
                "docs/s",
                "p50 ms",
                "p99 ms",
                "posted",
                "422",
                "failed",
                "retries",
                "group wait ms",
                "lock wait ms",
                "in lock-service ms",
                "docs/group",
                "MANAGED/this");
        for (Cell c : cells) {
            // MANAGED on as many replicas
            Cell managed = find(cells, managedOf(c.mode()), c.posters());
            if (managed == null) {
                managed = c;
            }
            table.row(
                    c.posters(),
                    c.mode(),
                    fmt(c.docsPerSecond()),
                    fmt(c.p50Ms()),
                    fmt(c.p99Ms()),
                    c.ok(),
                    c.rejected(),
                    c.failed(),
                    c.retries(),
                    managed(modeOf(c.mode())) ? fmt(c.groupWaitMs()) : "",
                    managed(modeOf(c.mode())) ? fmt(c.lockWaitMs()) : "",
                    managed(modeOf(c.mode())) ? fmt(c.queuedMs()) : "",
                    managed(modeOf(c.mode())) ? fmt(c.docsPerGroup()) : "",
                    managed == c ? "" : String.format("%.2fx", managed.docsPerSecond() / c.docsPerSecond()));
        }
        System.out.println();
        System.out.print(table);
        checks.forEach((db, check) -> System.out.printf(
                "%n%s: negative balances: %d (must be 0)   register mismatches: %d   consistent: %s",
                db,
                check.path("negativeBalances").size(),
                check.path("mismatches").size(),
                check.path("consistent").asBoolean()));
        System.out.println();
        System.out.println();
        System.out.print(goals(cells));
    }

    /** The mode of a contender's name ("MANAGED x3" -> "MANAGED"). */
    private static String modeOf(String name) {
        int x = name.lastIndexOf(" x");
        return x < 0 ? name : name.substring(0, x);
    }

    /** MANAGED's name on as many replicas as {@code name}'s. */
    private static String managedOf(String name) {
        int x = name.lastIndexOf(" x");
        return x < 0 ? "MANAGED" : "MANAGED" + name.substring(x);
    }

    private static Cell find(List<Cell> cells, String name, int posters) {
        return cells.stream()
                .filter(c -> c.posters() == posters && c.mode().equals(name))
                .findFirst()
                .orElse(null);
    }

    /**
     * The goals of #23, each a MANAGED ÷ peer ratio of this run: at least 1.0x the grouped FOR UPDATE peer at 32 and
     * 64 posters, at least 1.0x plain FOR_UPDATE at 1 and 8, at least 3x AUTOMATIC at 32 and more; on every replica
     * count measured. A row only where both cells were measured.
     */
    private Table goals(List<Cell> cells) {
        Table t = new Table("goal", "posters", "replicas", "MANAGED docs/s", "peer docs/s", "ratio", "met");
        record Goal(String peer, double least, java.util.function.IntPredicate posters) {}
        List<Goal> goals = List.of(
                new Goal("FOR_UPDATE_GROUPED", 1.0, n -> n == 32 || n == 64),
                new Goal("FOR_UPDATE", 1.0, n -> n == 1 || n == 8),
                new Goal("AUTOMATIC", 3.0, n -> n >= 32));
        for (Goal g : goals) {
            for (int count : replicas) {
                for (int n : posters) {
                    if (!g.posters().test(n)) {
                        continue;
                    }
                    Cell m = find(cells, name("MANAGED", count), n);
                    Cell peer = find(cells, name(g.peer(), count), n);
                    if (m == null || peer == null || peer.docsPerSecond() == 0) {
                        continue;
                    }
                    double ratio = m.docsPerSecond() / peer.docsPerSecond();
                    t.row(
                            String.format("MANAGED >= %.1fx %s", g.least(), g.peer()),
                            n,
                            count,
                            fmt(m.docsPerSecond()),
                            fmt(peer.docsPerSecond()),
                            String.format("%.2fx", ratio),
                            ratio >= g.least() ? "yes" : "NO");
                }
            }
        }
        return t;
    }

    private JsonNode check(String base) {
        try {
            return JSON.readTree(get(base + "/v1/registers/check"));
        } catch (Exception e) {
            throw new IllegalStateException("register check of " + base + " failed", e);
        }
    }

    /**
     * Runs {@code mode} unmeasured with 32 posters in rounds of 10 s until the JIT compilers of its
     * processes (its posting-service, and lock-service for MANAGED) used less than {@code bench.jit-quiet}
     * % of a core in a round, or {@code bench.prewarm} seconds passed. On 2 cores C2 keeps compiling for
     * about two minutes under this load, taking up to half a core from each service: a short fixed
     * warm-up timed mostly the compiler, and MANAGED (two JVMs to warm) more than the others.
     */
    private void prewarm(Contender contender) throws Exception {
        String mode = contender.name();
        List<Process> warming = contender.processes();
        long started = System.nanoTime();
        int rounds = 0;
        while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(prewarm)) {
            long before = compilerTicks(warming);
            cell(contender, 32, PREWARM_ROUND_SECONDS);
            rounds++;
            long after = compilerTicks(warming);
            long percent = before < 0 || after < 0
                    ? -1
                    : (after - before) * 100 / CLOCK_TICKS / (PREWARM_ROUND_SECONDS + warmup) / warming.size();
            if (percent >= 0 && percent < jitQuiet) {
                System.out.printf(
                        "  %-22s pre-warmed in %d s (JIT compilers %d%% of a core in the last round)%n",
                        mode, rounds * (PREWARM_ROUND_SECONDS + warmup), percent);
                return;
            }
        }
        if (rounds == 0) {
            return; // bench.prewarm=0
        }
        System.out.printf(
                "  %-22s pre-warm stopped after %d s (bench.prewarm) with the JIT still compiling%n",
                mode, rounds * (PREWARM_ROUND_SECONDS + warmup));
    }

    /** CPU ticks used so far by the C1/C2 compiler threads of these processes; -1 where /proc cannot tell. */
    private static long compilerTicks(List<Process> warming) {
        long ticks = 0;
        for (Process p : warming) {
            Path tasks = Path.of("/proc", Long.toString(p.pid()), "task");
            try (var threads = Files.list(tasks)) {
                for (Path t : (Iterable<Path>) threads::iterator) {
                    String stat;
                    try {
                        stat = Files.readString(t.resolve("stat"));
                    } catch (IOException gone) {
                        continue; // the thread ended
                    }
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        // after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return ticks;
    }

    private static boolean managed(String mode) {
        return mode.equals("MANAGED") || mode.equals(MANAGED_ALONE) || mode.startsWith("MANAGED@");
    }

    private static String fmt(double d) {
        return String.format("%.1f", d);
    }

    /** One big receipt per warehouse per mode: every row starts with plenty, balance control still runs. */
    private void seed(String base, String tag) throws Exception {
        for (int w = 0; w < warehouses; w++) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < items; i++) {
                lines.append(i == 0 ? "" : ",").append(line(tag, i, w, 1_000_000));
            }
            HttpResponse<String> r = post(base, "{\"type\":\"RECEIPT\",\"lines\":[" + lines + "]}");
            if (r.statusCode() != 201) {
                throw new IllegalStateException("seed failed: " + r.statusCode() + " " + r.body());
            }
        }
    }

    private String line(String tag, int item, int warehouse, int quantity) {
        return "{\"item\":\"b" + run + "-" + tag + "-i" + item + "\",\"warehouse\":\"b" + run + "-w" + warehouse
                + "\",\"quantity\":" + quantity + ",\"amount\":" + (quantity * 2) + "}";
    }

    private Cell cell(Contender contender, int n, int seconds) throws Exception {
        List<String> bases = contender.urls();
        double[] cdf = zipfCdf(items * warehouses, zipf);
        long retriesBefore = retries(bases);
        double[] lockBefore = summary(bases, "posting_lock_wait_seconds");
        double[] groupWaitBefore = summary(bases, "posting_group_wait_seconds");
        double[] groupsBefore = summary(bases, "posting_group_documents");
        double[] queuedBefore = lockServiceWaits(contender);
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        // one request options a replica: each request goes to the next replica in turn (round-robin)
        List<RequestOptions> requests = new ArrayList<>();
        for (String base : bases) {
            URI uri = URI.create(base);
            requests.add(new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost(uri.getHost())
                    .setPort(uri.getPort())
                    .setURI("/v1/documents")
                    .putHeader("Content-Type", "application/json")
                    .setIdleTimeout(REQUEST_IDLE_MS));
        }
        AtomicLong spread = new AtomicLong();
        CountDownLatch done = new CountDownLatch(n);
        for (int t = 0; t < n; t++) {
            Poster poster = new Poster(
                    () -> requests.get((int) (spread.getAndIncrement() % requests.size())),
                    new SplittableRandom(t * 7919L + n),
                    cdf,
                    contender.tag(),
                    measureFrom,
                    end,
                    recorder,
                    ok,
                    rejected,
                    failed,
                    done);
            // off an event loop, each new context takes the next loop in turn
            Context context = vertx.getOrCreateContext();
            context.runOnContext(v -> poster.next(context));
        }
        done.await();
        var h = recorder.getIntervalHistogram();
        double lockMs = 1000 * mean(lockBefore, summary(bases, "posting_lock_wait_seconds"));
        double groupWaitMs = 1000 * mean(groupWaitBefore, summary(bases, "posting_group_wait_seconds"));
        double docsPerGroup = mean(groupsBefore, summary(bases, "posting_group_documents"));
        double queuedMs = 1000 * mean(queuedBefore, lockServiceWaits(contender));
        return new Cell(
                contender.name(),
                n,
                ok.get(),
                rejected.get(),
                failed.get(),
                retries(bases) - retriesBefore,
                ok.get() / (double) seconds,
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                lockMs,
                groupWaitMs,
                docsPerGroup,
                queuedMs);
    }

    /**
     * Sum and count of lock-service's own {@code locks_wait_seconds} of granted requests (every space): how long a
     * lock request waited inside lock-service, in its queue, apart from the round trips posting's lock wait also
     * counts. Near 0 when posting's groups never meet there (one instance); {0, 0} for a contender without it.
     */
    private double[] lockServiceWaits(Contender contender) throws Exception {
        double[] total = new double[2];
        if (contender.lockService() == null) {
            return total;
        }
        String metrics = get(managementByUrl.get(contender.lockService()) + "/q/metrics");
        Matcher m = Pattern.compile("(?m)^locks_wait_seconds_(sum|count)\\{([^}]*)\\} ([0-9.eE+]+)")
                .matcher(metrics);
        while (m.find()) {
            if (m.group(2).contains("outcome=\"granted\"")) {
                total[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(3));
            }
        }
        return total;
    }

    /** One poster: a chain of documents, each posted when the previous answer is in, on one event loop. */
    private final class Poster {
        private final java.util.function.Supplier<RequestOptions> request;
        private final SplittableRandom random;
        private final double[] cdf;
        private final String mode;
        private final long measureFrom;
        private final long end;
        private final Recorder recorder;
        private final AtomicLong ok;
        private final AtomicLong rejected;
        private final AtomicLong failed;
        private final CountDownLatch done;

        Poster(
                java.util.function.Supplier<RequestOptions> request,
                SplittableRandom random,
                double[] cdf,
                String mode,
                long measureFrom,
                long end,
                Recorder recorder,
                AtomicLong ok,
                AtomicLong rejected,
                AtomicLong failed,
                CountDownLatch done) {
            this.request = request;
            this.random = random;
            this.cdf = cdf;
            this.mode = mode;
            this.measureFrom = measureFrom;
            this.end = end;
            this.recorder = recorder;
            this.ok = ok;
            this.rejected = rejected;
            this.failed = failed;
            this.done = done;
        }

        void next(Context context) {
            if (System.nanoTime() >= end) {
                done.countDown();
                return;
            }
            String body = document(random, cdf, mode);
            long t0 = System.nanoTime();
            // the body is read in full, so the connection is back in the pool before the next request
            load.request(new RequestOptions(request.get()).putHeader("Authorization", Tokens.bearer()))
                    .compose(r -> r.send(body))
                    .compose(response -> response.body().map(b -> response.statusCode()))
                    .onComplete(answer -> {
                        long t1 = System.nanoTime();
                        int status = answer.succeeded() ? answer.result() : -1;
                        if (t0 >= measureFrom && t1 <= end) {
                            recorder.recordValue(Math.max(1, (t1 - t0) / 1000));
                            if (status == 201) {
                                ok.incrementAndGet();
                            } else if (status == 422) {
                                rejected.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        }
                        if (answer.succeeded()) {
                            // an answer came from the network: a fresh event-loop stack, no deep recursion
                            next(context);
                        } else {
                            // a failure may complete on this very stack: start the next request from a new task
                            context.runOnContext(v -> next(context));
                        }
                    });
        }
    }

    /** 90% shipments, 10% receipts, 1 to {@code bench.lines} (3) lines on distinct Zipf-drawn (item, warehouse) rows. */
    private String document(SplittableRandom random, double[] cdf, String mode) {
        boolean receipt = random.nextInt(10) == 0;
        int lines = 1 + random.nextInt(maxLines);
        List<Integer> rows = new ArrayList<>();
        while (rows.size() < lines) {
            int row = draw(random, cdf);
            if (!rows.contains(row)) {
                rows.add(row);
            }
        }
        StringBuilder sb = new StringBuilder("{\"type\":\"")
                .append(receipt ? "RECEIPT" : "SHIPMENT")
                .append("\",\"lines\":[");
        for (int i = 0; i < rows.size(); i++) {
            int row = rows.get(i);
            sb.append(i == 0 ? "" : ",").append(line(mode, row % items, row / items, 1 + random.nextInt(3)));
        }
        return sb.append("]}").toString();
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            sum += 1 / Math.pow(k, s);
            cdf[k - 1] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        return cdf;
    }

    /** A rank drawn from the Zipf distribution, spread over items and warehouses by a fixed permutation. */
    private static int draw(SplittableRandom random, double[] cdf) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        int rank = i >= 0 ? i : Math.min(cdf.length - 1, -i - 1);
        return (int) ((rank * 2654435761L) % cdf.length);
    }

    /**
     * Sum and count of a timer or summary: posting_lock_wait_seconds (the begin-with-items call as the
     * posting sees it), posting_group_wait_seconds (a document waiting in posting for a group in flight
     * on its rows, before that), posting_group_documents (documents per lock transaction).
     */
    private double[] summary(List<String> bases, String name) throws Exception {
        double[] total = new double[2];
        for (String base : bases) {
            String metrics = get(managementByUrl.get(base) + "/q/metrics");
            Matcher sum = Pattern.compile("(?m)^" + name + "_sum(?:\\{[^}]*\\})? ([0-9.eE+]+)")
                    .matcher(metrics);
            Matcher count = Pattern.compile("(?m)^" + name + "_count(?:\\{[^}]*\\})? ([0-9.eE+]+)")
                    .matcher(metrics);
            total[0] += sum.find() ? Double.parseDouble(sum.group(1)) : 0;
            total[1] += count.find() ? Double.parseDouble(count.group(1)) : 0;
        }
        return total;
    }

    /** The mean over the window between two {@link #summary} readings; 0 when nothing was recorded. */
    private static double mean(double[] before, double[] after) {
        return after[1] > before[1] ? (after[0] - before[0]) / (after[1] - before[1]) : 0;
    }

    private long retries(List<String> bases) throws Exception {
        long total = 0;
        for (String base : bases) {
            Matcher m = Pattern.compile("(?m)^posting_retries_total(?:\\{[^}]*\\})? ([0-9.eE+]+)")
                    .matcher(get(managementByUrl.get(base) + "/q/metrics"));
            total += m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
        }
        return total;
    }

    private HttpResponse<String> post(String base, String body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/documents"))
                        .header("Authorization", Tokens.bearer())
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String get(String url) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", Tokens.bearer())
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
