package io.suite.locks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Lock transactions. Every decision is one call of {@code locks.lua}; this class holds the HTTP
 * request of a waiting lock request open until Redis grants it (announced on pub/sub, with a
 * periodic re-check as the safety net), the timeout, or a deadlock.
 */
@ApplicationScoped
public class LockService {
    private static final Logger LOG = Logger.getLogger(LockService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Begun(String id, String token, long leaseMs, Instant expiresAt) {
    }

    public record Granted(long fencingToken, long waitedMs, List<String> escalated) {
    }

    private final LockStore store;
    private final LockConfig config;
    private final LockMetrics metrics;
    private final Vertx vertx;
    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private final List<Consumer<String>> incidentListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long recheckTimer = -1;

    LockService(LockStore store, LockConfig config, LockMetrics metrics, Vertx vertx) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent start) {
        subscribe();
        recheckTimer = vertx.setPeriodic(config.recheckInterval().toMillis(), id -> waiters.values().forEach(w -> attempt(w, false)));
    }

    void stop(@Observes ShutdownEvent stop) {
        if (recheckTimer >= 0) {
            vertx.cancelTimer(recheckTimer);
        }
    }

    private void subscribe() {
        store.redis().pubsub(String.class)
                .subscribe(store.key("events"), this::onEvent)
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely()
                .subscribe().with(s -> LOG.debug("subscribed to lock events"), e -> LOG.warn("lock events subscription failed", e));
    }

    /** Pub/sub: "g" lines "request token escalated" = grants made in Redis; "i" = an incident. */
    private void onEvent(String message) {
        if (message.startsWith("g\n")) {
            for (String line : message.substring(2).split("\n")) {
                String[] parts = line.split("\t", -1);
                Waiter w = waiters.get(parts[0]);
                if (w != null && parts.length >= 2) {
                    w.announced(Long.parseLong(parts[1]), spaces(parts.length > 2 ? parts[2] : ""));
                }
            }
        } else if (message.startsWith("i\n")) {
            String incident = message.substring(2);
            incidentListeners.forEach(l -> l.accept(incident));
        }
    }

    void onIncident(Consumer<String> listener) {
        incidentListeners.add(listener);
    }

    void offIncident(Consumer<String> listener) {
        incidentListeners.remove(listener);
    }

    // ------------------------------------------------------------------ transactions

    public Uni<Begun> begin(ItemParser.Begin b) {
        String id = UUID.randomUUID().toString();
        String token = newToken();
        long lease = lease(b);
        return store.run("begin", beginArgs(id, LockStore.digest(token), b, lease))
                .map(r -> new Begun(id, token, lease, Instant.ofEpochMilli(check(id, r).get(1).toLong())));
    }

    /**
     * Begins a transaction and locks {@code b.lock()} in one Redis call: all or nothing. A refusal,
     * a timeout, a deadlock or a client gone while waiting leaves no transaction behind.
     */
    public Uni<BegunAndGranted> beginAndLock(ItemParser.Begin b) {
        String id = UUID.randomUUID().toString();
        String token = newToken();
        long lease = lease(b);
        String digest = LockStore.digest(token);
        List<String> args = beginArgs(id, digest, b, lease);
        List<String> lockArgs = lockArgs(id, digest, b.lock());
        args.addAll(lockArgs.subList(2, lockArgs.size())); // the begin call already names tx and digest
        Waiter w = waiter(id, lockArgs, b.lock());
        w.begun = true;
        return waitFor(w, "begin", args)
                .map(g -> new BegunAndGranted(new Begun(id, token, lease, Instant.ofEpochMilli(w.expiresAt)), g));
    }

    public record BegunAndGranted(Begun begun, Granted granted) {
    }

    private static String newToken() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private long lease(ItemParser.Begin b) {
        return b.leaseMs() != null ? b.leaseMs() : config.defaultLease().toMillis();
    }

    private static List<String> beginArgs(String id, String digest, ItemParser.Begin b, long lease) {
        return new ArrayList<>(List.of(id, digest, b.owner(), b.label(), String.valueOf(lease)));
    }

    public Uni<Instant> renew(String id, String token) {
        return store.run("renew", id, LockStore.digest(token))
                .map(r -> Instant.ofEpochMilli(check(id, r).get(1).toLong()));
    }

    public Uni<Void> end(String id, String token) {
        return store.run("end", id, LockStore.digest(token)).map(r -> {
            check(id, r);
            recordHolds(r, 1);
            return null;
        });
    }

    private void recordHolds(Response r, int from) {
        long now = System.currentTimeMillis();
        for (int i = from; i + 1 < r.size(); i += 2) {
            metrics.held(r.get(i).toString(), now - r.get(i + 1).toLong());
        }
    }

    /** Maps the script's refusals to problems; returns r when it is "ok". */
    private Response check(String id, Response r) {
        String status = r.get(0).toString();
        switch (status) {
            case "notx":
                throw Problems.noSuchTransaction(id);
            case "expired":
                metrics.expired(1);
                throw Problems.noSuchTransaction(id);
            case "forbidden":
                throw Problems.forbidden();
            case "busy":
                throw Problems.busy(id);
            case "readonly":
                throw new ReadOnlyRefusal(false, r.size() > 1 && !r.get(1).toString().isEmpty() ? r.get(1).toLong() : null);
            case "stale":
                throw new ReadOnlyRefusal(true, null);
            case "lost":
                throw Problems.waitLost();
            case "late":
                throw Problems.unavailable(new java.util.concurrent.TimeoutException("reached Redis after its deadline"));
            default:
                return r;
        }
    }

    public Uni<ObjectNode> get(String id, String token) {
        return store.run("get", id, LockStore.digest(token)).map(r -> {
            check(id, r);
            long now = System.currentTimeMillis();
            ObjectNode out = ItemParser.JSON.createObjectNode();
            out.put("id", id);
            out.put("owner", r.get(1).toString());
            out.put("label", r.get(2).toString());
            out.put("leaseMs", r.get(3).toLong());
            out.put("expiresAt", Instant.ofEpochMilli(r.get(4).toLong()).toString());
            ArrayNode locks = out.putArray("locks");
            int n = r.get(5).toInteger();
            int i = 6;
            for (int k = 0; k < n; k++, i += 5) {
                ObjectNode lock = locks.addObject();
                lock.put("space", r.get(i).toString());
                lock.put("mode", Mode.ofLetter(r.get(i + 1).toString()).name());
                lock.set("fields", json(r.get(i + 2).toString()));
                since(lock, r.get(i + 3).toLong(), now);
                lock.put("fencingToken", r.get(i + 4).toLong());
            }
            if (i < r.size()) {
                ObjectNode waiting = out.putObject("waiting");
                since(waiting, r.get(i).toLong(), now);
                ArrayNode blockedBy = waiting.putArray("blockedBy");
                csv(r.get(i + 1).toString()).forEach(blockedBy::add);
                ArrayNode items = waiting.putArray("items");
                int m = r.get(i + 2).toInteger();
                i += 3;
                for (int k = 0; k < m; k++, i += 3) {
                    items.addObject().put("space", r.get(i).toString())
                            .put("mode", Mode.ofLetter(r.get(i + 1).toString()).name())
                            .set("fields", json(r.get(i + 2).toString()));
                }
            } else {
                out.putNull("waiting");
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ locking

    public Uni<Granted> lock(String id, String token, ItemParser.LockRequest request) {
        List<String> args = lockArgs(id, LockStore.digest(token), request);
        return waitFor(waiter(id, args, request), "lock", args);
    }

    /** tx, digest, req, wait, final, waitMs, threshold, waiter lease, then 4 strings an item (locks.lua). */
    private List<String> lockArgs(String id, String digest, ItemParser.LockRequest request) {
        long timeout = timeout(request);
        List<String> args = new ArrayList<>(8 + 4 * request.items().size());
        args.add(id);
        args.add(digest);
        args.add(UUID.randomUUID().toString());
        args.add(timeout > 0 ? "1" : "0");
        args.add("0");
        args.add(String.valueOf(timeout));
        args.add(String.valueOf(config.escalationThreshold()));
        args.add(String.valueOf(config.waiterLease().toMillis()));
        for (LockItem item : request.items()) {
            args.add(item.space());
            args.add(item.mode().letter);
            args.add(item.canonical());
            args.add(item.shape());
        }
        return args;
    }

    private long timeout(ItemParser.LockRequest request) {
        return request.timeoutMs() != null ? request.timeoutMs() : config.waitTimeout().toMillis();
    }

    private Waiter waiter(String id, List<String> lockArgs, ItemParser.LockRequest request) {
        Set<String> spaces = new LinkedHashSet<>();
        request.items().forEach(item -> spaces.add(item.space()));
        return new Waiter(id, lockArgs.get(2), lockArgs.get(1), spaces, timeout(request));
    }

    /** Runs the first call of a lock request; a waiting one is then finished by pub/sub, re-checks or its timer. */
    private Uni<Granted> waitFor(Waiter w, String op, List<String> args) {
        return Uni.createFrom().<Granted>emitter(em -> {
            w.emitter = em;
            if (w.timeoutMs > 0) {
                waiters.put(w.req, w); // before the first call: a grant announced at once must find it
            }
            store.run(op, args).subscribe().with(w::handle, w::fail);
        }).onCancellation().invoke(w::abandon);
    }

    /** One lock request held open while it waits. */
    private final class Waiter {
        final String tx;
        final String req;
        final String digest;
        final Set<String> spaces;
        final long timeoutMs;
        final long started = System.nanoTime();
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicBoolean inFlight = new AtomicBoolean(true);
        /** Granted in a release pass and announced: no more re-checks, the answer is on its way. */
        final AtomicBoolean announced = new AtomicBoolean();
        /** Begun with its items: the caller does not know the transaction until the answer. */
        volatile boolean begun;
        volatile boolean finalRequested;
        volatile UniEmitter<? super Granted> emitter;
        volatile String owner = "";
        volatile String label = "";
        volatile long expiresAt;
        long timer = -1;

        Waiter(String tx, String req, String digest, Set<String> spaces, long timeoutMs) {
            this.tx = tx;
            this.req = req;
            this.digest = digest;
            this.spaces = spaces;
            this.timeoutMs = timeoutMs;
        }

        void handle(Response r) {
            String status = r.get(0).toString();
            if (status.equals("begun")) { // begin with items: the lease, then the answer of the lock request
                expiresAt = r.get(1).toLong();
                handle(r.get(2));
                return;
            }
            inFlight.set(false);
            switch (status) {
                case "granted" -> {
                    owner = r.get(3).toString();
                    label = r.get(4).toString();
                    if (r.size() > 5) {
                        expiresAt = r.get(5).toLong(); // a waited grant: the lease starts with the answer
                    }
                    List<String> escalated = spaces(r.get(2).toString());
                    if (timer == -1) {
                        escalations(escalated); // a request granted at once; waiting ones reported when queued
                    }
                    granted(r.get(1).toLong(), escalated);
                }
                case "waiting" -> {
                    if (r.size() > 1 && timer == -1) {
                        owner = r.get(2).toString();
                        label = r.get(3).toString();
                        escalations(spaces(r.get(1).toString()));
                        timer = vertx.setTimer(Math.max(1, timeoutMs - elapsedMs()), t -> attempt(this, true));
                    }
                    if (finalRequested && !done.get()) {
                        attempt(this, true);
                    }
                }
                case "blocked" -> timedOut(r);
                case "deadlock" -> deadlocked(r);
                default -> {
                    try {
                        check(tx, r);
                        fail(new IllegalStateException("unexpected answer from Redis: " + status));
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                }
            }
        }

        long elapsedMs() {
            return (System.nanoTime() - started) / 1_000_000;
        }

        void escalations(List<String> escalated) {
            for (String space : escalated) {
                metrics.escalation(space);
                incident("escalation", tx, owner, label, space, null, null);
            }
        }

        /**
         * A release pass granted this request. The lease of a transaction begun with it starts now
         * (until then it has the waiter lease), then the caller gets the answer: one more round trip
         * for a waited begin with items, so that a replica dying first leaves nothing held for long.
         */
        void announced(long fencingToken, List<String> escalated) {
            if (done.get() || !announced.compareAndSet(false, true)) {
                return;
            }
            if (!begun) { // the caller knows its transaction, whose lease runs already: answer at once
                store.command("UNLINK", store.key("res:" + req)).subscribe().with(r -> { }, e -> { });
                granted(fencingToken, escalated);
                return;
            }
            store.run("delivered", tx, digest, req).subscribe().with(r -> {
                try {
                    expiresAt = check(tx, r).get(1).toLong();
                    granted(fencingToken, escalated);
                } catch (RuntimeException e) {
                    fail(e);
                }
            }, this::fail);
        }

        void granted(long fencingToken, List<String> escalated) {
            if (finish()) {
                metrics.waited(spaces, "granted", System.nanoTime() - started);
                emitter.complete(new Granted(fencingToken, elapsedMs(), escalated));
            }
        }

        void timedOut(Response r) {
            if (!finish()) {
                return;
            }
            String owner = r.get(1).toString();
            String label = r.get(2).toString();
            ArrayNode blockedBy = ItemParser.JSON.createArrayNode();
            for (int i = 3; i + 5 < r.size(); i += 6) {
                blockedBy.addObject().put("transaction", r.get(i).toString())
                        .put("owner", r.get(i + 1).toString())
                        .put("label", r.get(i + 2).toString())
                        .put("space", r.get(i + 3).toString())
                        .put("mode", Mode.ofLetter(r.get(i + 4).toString()).name())
                        .set("fields", json(r.get(i + 5).toString()));
            }
            metrics.waited(spaces, "timeout", System.nanoTime() - started);
            metrics.timeout(spaces);
            incident("timeout", tx, owner, label, spaces.iterator().next(), "blockedBy", blockedBy);
            String who = blockedBy.isEmpty() ? "" : " by " + blockedBy.get(0).path("owner").asText()
                    + " (" + blockedBy.get(0).path("label").asText() + ")";
            emitter.fail(Problems.problem(423, "lock-timeout", "Lock wait timed out")
                    .withDetail("not granted within " + timeoutMs + " ms: blocked" + who)
                    .with("blockedBy", blockedBy).build());
        }

        void deadlocked(Response r) {
            if (!finish()) {
                return;
            }
            List<String> cycle = LockStore.strings(r, 3);
            ArrayNode ids = ItemParser.JSON.createArrayNode();
            cycle.forEach(ids::add);
            metrics.waited(spaces, "deadlock", System.nanoTime() - started);
            metrics.deadlock();
            incident("deadlock", tx, r.get(1).toString(), r.get(2).toString(), spaces.iterator().next(), "cycle", ids);
            emitter.fail(Problems.problem(409, "deadlock", "Deadlock")
                    .withDetail("this request would close a cycle of waits " + String.join(" -> ", cycle) + " -> " + tx
                            + "; its lock transaction was ended and its locks freed")
                    .with("cycle", cycle).build());
        }

        void fail(Throwable e) {
            inFlight.set(false);
            if (begun && e instanceof HttpProblem p && p.getStatusCode() == 404) {
                e = Problems.waitLost(); // its transaction lapsed while Redis could not be reached
            }
            if (finish()) {
                if (!(e instanceof HttpProblem) && !(e instanceof ReadOnlyRefusal)) {
                    LOG.warn("lock request failed", e);
                }
                emitter.fail(e);
            }
        }

        boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            waiters.remove(req);
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            return true;
        }

        void abandon() {
            if (finish()) {
                store.run("abandon", req).subscribe().with(r -> { }, e -> LOG.debug("abandon failed", e));
            }
        }
    }

    /** Asks Redis again about a waiting request; the final attempt (at the timeout) ends the wait. */
    private void attempt(Waiter w, boolean last) {
        if (w.done.get() || w.announced.get()) {
            return;
        }
        if (last) {
            w.finalRequested = true;
        }
        if (!w.inFlight.compareAndSet(false, true)) {
            return; // the running attempt looks at finalRequested when it returns
        }
        List<String> args = List.of(w.tx, w.digest, w.req, "1", w.finalRequested ? "1" : "0", String.valueOf(w.timeoutMs),
                String.valueOf(config.escalationThreshold()), String.valueOf(config.waiterLease().toMillis()));
        store.run("lock", args).subscribe().with(w::handle, e -> {
            w.inFlight.set(false);
            LOG.debug("re-check failed", e);
            if (w.finalRequested) {
                w.fail(e);
            }
        });
    }

    private void incident(String kind, String tx, String owner, String label, String space, String key, JsonNode detail) {
        ObjectNode i = ItemParser.JSON.createObjectNode();
        i.put("kind", kind).put("transaction", tx).put("owner", owner).put("label", label).put("space", space);
        if (key != null) {
            i.set(key, detail);
        }
        i.put("at", Instant.now().toString());
        store.run("incident", i.toString()).subscribe().with(r -> { }, e -> LOG.debug("incident not published", e));
    }

    // ------------------------------------------------------------------ housekeeping and views

    /** Ends transactions whose lease ran out (on every replica; the script makes it idempotent). */
    Uni<Void> reap() {
        return store.run("reap").map(r -> {
            for (int i = 0; i < r.size(); i++) {
                Response ended = r.get(i);
                metrics.expired(1);
                recordHolds(ended.get(3), 0);
                incident("expiry", ended.get(0).toString(), ended.get(1).toString(), ended.get(2).toString(),
                        ended.get(3).size() > 0 ? ended.get(3).get(0).toString() : "", null, null);
            }
            return null;
        });
    }

    /** Refreshes the gauges; returns {version, transactions holding EXCLUSIVE items (writes in flight)}. */
    Uni<long[]> stats() {
        return store.run("stats").map(r -> {
            metrics.gauges(r.get(0).toLong(), r.get(1).toLong());
            return new long[] {r.get(2).toLong(), r.get(3).toLong()};
        });
    }

    /** At the drain timeout: ends the lock transactions holding EXCLUSIVE items (the writes in flight). */
    Uni<Integer> drain() {
        return store.run("drain").map(Response::size);
    }

    /** GET /v1/locks: what is locked now and who waits for whom. */
    public Uni<ObjectNode> snapshot(String space) {
        return store.run("snapshot", space == null ? "" : space, String.valueOf(config.snapshotMaxEntries())).map(r -> {
            long now = r.get(0).toLong();
            Map<String, String[]> info = new ConcurrentHashMap<>();
            Response txs = r.get(3);
            for (int i = 0; i + 2 < txs.size(); i += 3) {
                info.put(txs.get(i).toString(), new String[] {txs.get(i + 1).toString(), txs.get(i + 2).toString()});
            }
            ObjectNode out = ItemParser.JSON.createObjectNode();
            ArrayNode locks = out.putArray("locks");
            Response held = r.get(1);
            for (int i = 0; i + 5 < held.size(); i += 6) {
                ObjectNode lock = entry(locks, held, i, info, now);
                lock.put("fencingToken", held.get(i + 5).toLong());
            }
            ArrayNode waits = out.putArray("waits");
            Response waiting = r.get(2);
            for (int i = 0; i + 5 < waiting.size(); i += 6) {
                ObjectNode wait = entry(waits, waiting, i, info, now);
                ArrayNode blockedBy = wait.putArray("blockedBy");
                csv(waiting.get(i + 5).toString()).forEach(blockedBy::add);
            }
            return out;
        });
    }

    private static ObjectNode entry(ArrayNode into, Response r, int i, Map<String, String[]> info, long now) {
        String tx = r.get(i).toString();
        String[] ol = info.getOrDefault(tx, new String[] {"", ""});
        ObjectNode e = into.addObject();
        e.put("transaction", tx).put("owner", ol[0]).put("label", ol[1]).put("space", r.get(i + 1).toString())
                .put("mode", Mode.ofLetter(r.get(i + 2).toString()).name()).set("fields", json(r.get(i + 3).toString()));
        since(e, r.get(i + 4).toLong(), now);
        return e;
    }

    private static void since(ObjectNode node, long sinceMs, long now) {
        node.put("since", Instant.ofEpochMilli(sinceMs).toString());
        node.put("ageMs", Math.max(0, now - sinceMs));
    }

    static JsonNode json(String canonical) {
        return ItemParser.parse(canonical);
    }

    /** Escalated spaces: separated by U+001F, which names cannot contain. */
    static List<String> spaces(String s) {
        return s == null || s.isEmpty() ? List.of() : List.of(s.split("\u001f"));
    }

    static List<String> csv(String s) {
        if (s == null || s.isEmpty()) {
            return List.of();
        }
        return List.of(s.split(","));
    }
}
