package io.suite.locks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;

/**
 * One lock request whose HTTP request is held open while it waits. It ends exactly once
 * ({@link #finish}), with whichever comes first: its own first call's answer, a grant announced on
 * pub/sub ({@link #announced}), a periodic re-check ({@link #recheck}, the safety net), the last
 * re-check at its timeout, or its caller going away ({@link #abandon}). At most one script call of
 * its own is in flight; a last re-check asked for meanwhile runs when that call returns.
 */
final class Waiter {
    private static final Logger LOG = Logger.getLogger(Waiter.class);

    /**
     * What every waiter of a replica shares: the script, metrics, timers, incidents, the replica's waiters by
     * request, and {@code lock.recheck-interval}.
     */
    record Context(
            LockScript script,
            LockMetrics metrics,
            Vertx vertx,
            Incidents incidents,
            Map<String, Waiter> waiters,
            Duration recheckInterval) {}

    private final Context ctx;
    final String tx;
    final String req;
    private final String digest;
    private final Set<String> spaces;
    private final LockScript.LockCall call;
    private final long started = System.nanoTime();
    /** When this request last asked Redis (its first call, then each re-check). */
    private volatile long asked = started;

    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean inFlight = new AtomicBoolean(true);
    /** Granted in a release pass and announced: no more re-checks, the answer is on its way. */
    private final AtomicBoolean announced = new AtomicBoolean();
    /** Begun with its items: the caller does not know the transaction until the answer. */
    private final boolean begun;

    private volatile boolean finalRequested;
    private volatile UniEmitter<? super LockService.Granted> emitter;
    /** The requesting transaction (principal, owner, label), from the script's first answer. */
    private volatile LockScript.Named who = LockScript.Named.NOBODY;

    volatile long expiresAt;
    private long timer = -1;

    Waiter(Context ctx, String tx, String digest, LockScript.LockCall call, Set<String> spaces, boolean begun) {
        this.ctx = ctx;
        this.tx = tx;
        this.req = call.req();
        this.digest = digest;
        this.call = call;
        this.spaces = spaces;
        this.begun = begun;
    }

    /** Runs the first call of the request; a waiting one is then finished by pub/sub, re-checks or its timer. */
    Uni<LockService.Granted> start(Supplier<Uni<LockScript.LockAnswer>> firstCall) {
        return Uni.createFrom()
                .<LockService.Granted>emitter(em -> {
                    emitter = em;
                    if (call.mayWait()) {
                        ctx.waiters().put(req, this); // before the first call: a grant announced at once must find it
                    }
                    firstCall.get().subscribe().with(this::handle, this::fail);
                })
                .onCancellation()
                .invoke(this::abandon);
    }

    private void handle(LockScript.LockAnswer answer) {
        if (answer instanceof LockScript.Begun b) { // begin with items: the lease, then the answer of the lock request
            expiresAt = b.expiresAt();
            handle(b.answer());
            return;
        }
        inFlight.set(false);
        if (answer instanceof LockScript.Granted g) {
            who = g.who();
            if (g.expiresAt() != null) {
                expiresAt = g.expiresAt(); // a waited grant: the lease starts with the answer
            }
            if (timer == -1) {
                escalations(g.escalated()); // a request granted at once; waiting ones reported when queued
            }
            granted(g.fencingToken(), g.escalated());
        } else if (answer instanceof LockScript.Waiting w) {
            if (w.first() && timer == -1) {
                who = w.who();
                escalations(w.escalated());
                timer = ctx.vertx().setTimer(Math.max(1, call.waitMs() - elapsedMs()), t -> recheck(true));
            }
            if (finalRequested && !done.get()) {
                recheck(true);
            }
        } else if (answer instanceof LockScript.Blocked b) {
            timedOut(b);
        } else if (answer instanceof LockScript.Deadlock d) {
            deadlocked(d);
        } else {
            fail(
                    answer instanceof LockScript.Refused r
                            ? r.problem()
                            : new IllegalStateException("unexpected answer " + answer));
        }
    }

    private long elapsedMs() {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private void escalations(List<LockScript.Escalation> escalated) {
        for (LockScript.Escalation e : escalated) {
            ctx.metrics().escalation(e.space());
            ArrayNode one = ItemParser.JSON.createArrayNode();
            one.add(LockViews.escalation(e));
            ctx.incidents()
                    .report(
                            Incidents.Incident.of("ESCALATION", tx, who, e.space())
                                    .fields(ItemParser.parse(e.cover()))
                                    .escalated(one),
                            null);
        }
    }

    /** The space and fields of the request's first item: what its incidents name. */
    private String space() {
        return spaces.iterator().next();
    }

    private JsonNode fields() {
        return call.items().isEmpty()
                ? null
                : ItemParser.parse(call.items().get(0).canonical());
    }

    /** A wait ends: a long one is a WAIT incident, naming everyone it waited for. */
    private void waitEnded(LockScript.Named who) {
        ctx.incidents().waitEnded(tx, who, space(), fields(), req, elapsedMs());
    }

    /**
     * A release pass granted this request. The lease of a transaction begun with it starts now
     * (until then it has the waiter lease), then the caller gets the answer: one more round trip
     * for a waited begin with items, so that a replica dying first leaves nothing held for long.
     */
    void announced(long fencingToken, List<LockScript.Escalation> escalated) {
        if (done.get() || !announced.compareAndSet(false, true)) {
            return;
        }
        if (!begun) { // the caller knows its transaction, whose lease runs already: answer at once
            ctx.script().forgetGrant(req);
            granted(fencingToken, escalated);
            return;
        }
        ctx.script()
                .delivered(tx, digest, req)
                .subscribe()
                .with(
                        at -> {
                            expiresAt = at;
                            granted(fencingToken, escalated);
                        },
                        this::fail);
    }

    private void granted(long fencingToken, List<LockScript.Escalation> escalated) {
        if (finish()) {
            ctx.metrics().waited(spaces, "granted", System.nanoTime() - started);
            waitEnded(who);
            emitter.complete(new LockService.Granted(fencingToken, elapsedMs(), escalated));
        }
    }

    private void timedOut(LockScript.Blocked b) {
        if (!finish()) {
            return;
        }
        ArrayNode blockedBy = LockViews.blockedBy(b.blockedBy());
        ctx.metrics().waited(spaces, "timeout", System.nanoTime() - started);
        ctx.metrics().timeout(spaces);
        waitEnded(b.who());
        ctx.incidents()
                .report(
                        Incidents.Incident.of("TIMEOUT", tx, b.who(), space())
                                .fields(fields())
                                .waited(elapsedMs())
                                .blockedBy(blockedBy),
                        null);
        String who = b.blockedBy().isEmpty()
                ? ""
                : " by " + b.blockedBy().get(0).who().owner() + " ("
                        + b.blockedBy().get(0).who().label() + ")";
        emitter.fail(Problems.problem(423, "lock-timeout", "Lock wait timed out")
                .withDetail("not granted within " + call.waitMs() + " ms: blocked" + who)
                .with("blockedBy", blockedBy)
                .build());
    }

    private void deadlocked(LockScript.Deadlock d) {
        if (!finish()) {
            return;
        }
        List<String> cycle = d.cycle();
        ArrayNode ids = ItemParser.JSON.createArrayNode();
        cycle.forEach(ids::add);
        ctx.metrics().waited(spaces, "deadlock", System.nanoTime() - started);
        ctx.metrics().deadlock();
        waitEnded(d.who());
        ctx.incidents()
                .report(
                        Incidents.Incident.of("DEADLOCK", tx, d.who(), space())
                                .fields(fields())
                                .waited(elapsedMs())
                                .cycle(ids),
                        null);
        emitter.fail(Problems.problem(409, "deadlock", "Deadlock")
                .withDetail("this request would close a cycle of waits " + String.join(" -> ", cycle) + " -> " + tx
                        + "; its lock transaction was ended and its locks freed")
                .with("cycle", cycle)
                .build());
    }

    private void fail(Throwable e) {
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

    private boolean finish() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        ctx.waiters().remove(req);
        if (timer >= 0) {
            ctx.vertx().cancelTimer(timer);
        }
        return true;
    }

    private void abandon() {
        if (finish()) {
            ctx.script().abandon(req).subscribe().with(r -> {}, e -> LOG.debug("abandon failed", e));
        }
    }

    /**
     * Asks Redis again about the waiting request; the last re-check (at the timeout) ends the wait. A periodic
     * one is skipped while the request asked Redis less than {@code lock.recheck-interval} ago: most waits on a
     * hot item end by pub/sub within the interval, and a re-check of each of them would be one more script call
     * per hand-off, for nothing (#23). So a waiter is re-checked every one to two intervals.
     */
    void recheck(boolean last) {
        if (done.get() || announced.get()) {
            return;
        }
        if (!last && System.nanoTime() - asked < ctx.recheckInterval().toNanos()) {
            return;
        }
        if (last) {
            finalRequested = true;
        }
        if (!inFlight.compareAndSet(false, true)) {
            return; // the running call looks at finalRequested when it returns
        }
        asked = System.nanoTime();
        LockScript.LockCall again = new LockScript.LockCall(
                req,
                true,
                finalRequested,
                call.waitMs(),
                call.threshold(),
                call.coverMaxValues(),
                call.waiterLeaseMs(),
                List.of());
        ctx.script().lock(tx, digest, again).subscribe().with(this::handle, e -> {
            inFlight.set(false);
            LOG.debug("re-check failed", e);
            if (finalRequested) {
                fail(e);
            }
        });
    }
}
