package io.suite.locks;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Lock transactions. Every decision is one call of {@code locks.lua} ({@link LockScript}); this
 * class keeps this replica's waiting requests ({@link Waiter}), hears the grants and incidents the
 * script publishes, and re-checks its waiters periodically (the safety net for a lost message).
 */
@ApplicationScoped
public class LockService {
    private static final Logger LOG = Logger.getLogger(LockService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Begun(String id, String token, long leaseMs, Instant expiresAt) {}

    public record Granted(long fencingToken, long waitedMs, List<LockScript.Escalation> escalated) {}

    public record BegunAndGranted(Begun begun, Granted granted) {}

    private final LockScript script;
    private final LockStore store;
    private final LockConfig config;
    private final LockMetrics metrics;
    private final Incidents incidents;
    private final Vertx vertx;
    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private final Waiter.Context waiting;
    private long recheckTimer = -1;

    LockService(
            LockScript script,
            LockStore store,
            LockConfig config,
            LockMetrics metrics,
            Incidents incidents,
            Vertx vertx) {
        this.script = script;
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.incidents = incidents;
        this.vertx = vertx;
        this.waiting = new Waiter.Context(script, metrics, vertx, incidents, waiters, config.recheckInterval());
    }

    void start(@Observes StartupEvent start) {
        subscribe();
        recheckTimer = vertx.setPeriodic(
                config.recheckInterval().toMillis(), id -> waiters.values().forEach(w -> w.recheck(false)));
    }

    void stop(@Observes ShutdownEvent stop) {
        if (recheckTimer >= 0) {
            vertx.cancelTimer(recheckTimer);
        }
    }

    private void subscribe() {
        store.redis()
                .pubsub(String.class)
                .subscribe(script.channel(), this::onEvent)
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                .indefinitely()
                .subscribe()
                .with(s -> LOG.debug("subscribed to lock events"), e -> LOG.warn("lock events subscription failed", e));
    }

    /** Pub/sub: "g" lines "request TAB token TAB escalations" = grants made in Redis; "i" = an incident. */
    private void onEvent(String message) {
        if (message.startsWith("g\n")) {
            for (String line : message.substring(2).split("\n")) {
                String[] parts = line.split("\t", 3); // escalations have tabs of their own
                Waiter w = waiters.get(parts[0]);
                if (w != null && parts.length >= 2) {
                    w.announced(Long.parseLong(parts[1]), LockScript.escalations(parts.length > 2 ? parts[2] : ""));
                }
            }
        } else if (message.startsWith("i\n")) {
            incidents.heard(message.substring(2));
        }
    }

    // ------------------------------------------------------------------ transactions

    /** A transaction of {@code principal} (the caller's, from its access token): only it may act on it. */
    public Uni<Begun> begin(String principal, ItemParser.Begin b) {
        String id = UUID.randomUUID().toString();
        String token = newToken();
        long lease = lease(b);
        String digest = LockStore.digest(principal, token);
        return script.begin(id, digest, principal, b.owner(), b.label(), lease)
                .map(at -> new Begun(id, token, lease, Instant.ofEpochMilli(at)))
                .onFailure(LockService::unanswered)
                .invoke(() -> withdraw(id, digest, lease));
    }

    /**
     * Begins a transaction and locks {@code b.lock()} in one Redis call: all or nothing. A refusal,
     * a timeout, a deadlock or a client gone while waiting leaves no transaction behind.
     */
    public Uni<BegunAndGranted> beginAndLock(String principal, ItemParser.Begin b) {
        String id = UUID.randomUUID().toString();
        String token = newToken();
        long lease = lease(b);
        String digest = LockStore.digest(principal, token);
        LockScript.LockCall call = lockCall(b.lock());
        Waiter w = new Waiter(waiting, id, digest, call, spaces(b.lock()), true);
        return w.start(() -> script.beginAndLock(id, digest, principal, b.owner(), b.label(), lease, call))
                .map(g -> new BegunAndGranted(new Begun(id, token, lease, Instant.ofEpochMilli(w.expiresAt)), g))
                .onFailure(LockService::unanswered)
                .invoke(() -> withdraw(id, digest, lease));
    }

    /** A 503 lock-service-unavailable: Redis did not answer in time, so whether it ran the call is unknown. */
    private static boolean unanswered(Throwable e) {
        return e instanceof HttpProblem p && p.getStatusCode() == 503;
    }

    /**
     * A begin answered 503 may still have run in Redis (which stalled just after it, or whose answer was lost
     * with a connection), leaving a transaction that nobody knows and that would hold its items for its whole
     * lease. So this replica withdraws the id itself: one call at a time, each waiting as long as the lease
     * (a paused Redis runs it when it resumes), tried again on a failure until the lease has passed.
     */
    private void withdraw(String id, String digest, long leaseMs) {
        Duration lease = Duration.ofMillis(leaseMs);
        script.withdraw(id, digest, lease)
                .onFailure(LockService::unanswered)
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .expireIn(leaseMs)
                .subscribe()
                .with(
                        held -> {
                            if (!held.isEmpty()) {
                                recordHolds(held);
                                LOG.infof("ended lock transaction %s, whose begin answered 503 but had run", id);
                            }
                        },
                        e -> LOG.debugf("could not withdraw lock transaction %s: %s", id, e));
    }

    private static String newToken() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private long lease(ItemParser.Begin b) {
        return b.leaseMs() != null ? b.leaseMs() : config.defaultLease().toMillis();
    }

    // Every call on a transaction names the principal calling: LockStore.digest binds it to the token

    public Uni<Instant> renew(String id, String principal, String token) {
        return script.renew(id, LockStore.digest(principal, token)).map(Instant::ofEpochMilli);
    }

    public Uni<Void> end(String id, String principal, String token) {
        return script.end(id, LockStore.digest(principal, token)).map(held -> {
            recordHolds(held);
            return null;
        });
    }

    private void recordHolds(List<LockScript.HeldSince> held) {
        long now = System.currentTimeMillis();
        held.forEach(h -> metrics.held(h.space(), now - h.sinceMs()));
    }

    public Uni<LockScript.Transaction> get(String id, String principal, String token) {
        return script.get(id, LockStore.digest(principal, token));
    }

    // ------------------------------------------------------------------ locking

    public Uni<Granted> lock(String id, String principal, String token, ItemParser.LockRequest request) {
        String digest = LockStore.digest(principal, token);
        LockScript.LockCall call = lockCall(request);
        return new Waiter(waiting, id, digest, call, spaces(request), false).start(() -> script.lock(id, digest, call));
    }

    private LockScript.LockCall lockCall(ItemParser.LockRequest request) {
        long timeout = request.timeoutMs() != null
                ? request.timeoutMs()
                : config.waitTimeout().toMillis();
        int maxValues = config.escalationCover() == LockConfig.EscalationCover.SPACE ? 0 : config.escalationMaxValues();
        return new LockScript.LockCall(
                UUID.randomUUID().toString(),
                timeout > 0,
                false,
                timeout,
                config.escalationThreshold(),
                maxValues,
                config.waiterLease().toMillis(),
                request.items());
    }

    private static Set<String> spaces(ItemParser.LockRequest request) {
        Set<String> spaces = new LinkedHashSet<>();
        request.items().forEach(item -> spaces.add(item.space()));
        return spaces;
    }

    // ------------------------------------------------------------------ housekeeping and views

    /** Ends transactions whose lease ran out (on every replica; the script makes it idempotent). */
    Uni<Void> reap() {
        return script.reap().map(expired -> {
            for (LockScript.Expired e : expired) {
                metrics.expired(1);
                recordHolds(e.held());
                incidents.report(
                        Incidents.Incident.of(
                                "EXPIRY",
                                e.transaction(),
                                e.who(),
                                e.held().isEmpty() ? "" : e.held().get(0).space()),
                        null);
            }
            return null;
        });
    }

    /** Refreshes the gauges; returns the counts (version, transactions holding EXCLUSIVE items: the writes in flight). */
    Uni<LockScript.Stats> stats() {
        return script.stats().invoke(s -> metrics.gauges(s.held(), s.waiting()));
    }

    /** At the drain timeout: ends the lock transactions holding EXCLUSIVE items (the writes in flight). */
    Uni<Integer> drain() {
        return script.drain().map(List::size);
    }

    /** GET /v1/locks: what is locked now and who waits for whom. */
    public Uni<LockScript.Snapshot> snapshot(String space) {
        return script.snapshot(space, config.snapshotMaxEntries());
    }
}
