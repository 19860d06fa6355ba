package io.suite.writeguard;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * What makes a service a write path. Every write goes through {@link #write(Supplier)} (reactive)
 * or {@link #admit()} (blocking); the guard admits it or throws {@link ReadOnlyException}
 * (503 read-only), counts it in flight until it ends, and at the drain timeout of a flip to
 * READ_ONLY fails the writes still running (their work finds {@link WritePermit#check()} throwing
 * before its COMMIT, so it rolls back). READ_WRITE is a lease: it holds only until
 * {@code write-guard.state-max-age} after the state was last confirmed, checked at every call.
 */
@ApplicationScoped
public class WriteGuard {
    /** Run this first in a database transaction when {@link #refusesWrites()}: the database refuses writes too. */
    public static final String SET_TRANSACTION_READ_ONLY = "SET TRANSACTION READ ONLY";

    /** The followed state with its READ_WRITE lease and when this instance applied it, swapped as one. */
    private record Followed(MaintenanceState state, Instant leaseEnd, Instant appliedAt) {}

    private final AtomicReference<Followed> followed =
            new AtomicReference<>(new Followed(MaintenanceState.unknown(), null, Instant.now()));
    private final AtomicLong counted = new AtomicLong();
    private final Set<WritePermit> running = ConcurrentHashMap.newKeySet();
    private final Map<String, LongSupplier> extraSources = new ConcurrentHashMap<>();
    private final Map<Refusal, Counter> refused = new ConcurrentHashMap<>();
    private volatile Instant drainDeadline;
    private volatile Identity identity;

    private final WriteGuardConfig config;
    private final Event<MaintenanceStateChanged> changes;
    private final MeterRegistry registry;

    WriteGuard(WriteGuardConfig config, Event<MaintenanceStateChanged> changes, MeterRegistry registry) {
        this.config = config;
        this.changes = changes;
        this.registry = registry;
    }

    /**
     * Runs {@code work} as one write: admitted or failed with ReadOnlyException, counted until the Uni
     * terminates. The work cannot see its permit, so at the drain timeout it is cancelled (Hibernate
     * Reactive rolls its transaction back); as its real end is then unknown, it counts in flight until
     * a later epoch (by then maintenance-service has fenced this path).
     */
    public <T> Uni<T> write(Supplier<Uni<T>> work) {
        return guarded(permit -> work.get(), true);
    }

    /**
     * As {@link #write(Supplier)}, giving the work its permit (call {@code permit.check()} right before COMMIT).
     * At the drain timeout the caller is answered 503 {@code drain-timeout} at once, but the work is
     * not cancelled: it runs on until {@code permit.check()} fails it (or it ends otherwise), and counts
     * in flight until then, so DRAINED never comes while its statement still runs in the database.
     */
    public <T> Uni<T> write(Function<WritePermit, Uni<T>> work) {
        return guarded(work, false);
    }

    private <T> Uni<T> guarded(Function<WritePermit, Uni<T>> work, boolean cancelAtAbort) {
        return Uni.createFrom().emitter(emitter -> {
            WritePermit permit;
            try {
                permit = admit();
            } catch (ReadOnlyException e) {
                emitter.fail(e);
                return;
            }
            AtomicBoolean answered = new AtomicBoolean();
            AtomicBoolean callerGone = new AtomicBoolean();
            AtomicReference<Cancellable> upstream = new AtomicReference<>();
            // The abort comes from the guard's timer thread; the caller's pipeline (Hibernate Reactive,
            // REST) needs its own Vert.x context, so the 503 is delivered there.
            Context caller = Vertx.currentContext();
            permit.onAbort(() -> {
                if (answered.compareAndSet(false, true)) {
                    Cancellable c = upstream.get();
                    if (cancelAtAbort && c != null) {
                        c.cancel();
                    }
                    if (caller != null) {
                        caller.runOnContext(ignored -> emitter.fail(permit.abortedBy()));
                    } else {
                        emitter.fail(permit.abortedBy());
                    }
                }
            });
            emitter.onTermination(() -> {
                if (answered.compareAndSet(false, true)) {
                    // the caller cancelled: stop the work
                    callerGone.set(true);
                    Cancellable c = upstream.get();
                    if (c != null) {
                        c.cancel();
                    }
                    permit.close();
                }
            });
            Uni<T> uni;
            try {
                uni = work.apply(permit);
            } catch (RuntimeException e) {
                uni = Uni.createFrom().failure(e);
            }
            // The work's end ends the permit, whether or not the caller was already answered (abort).
            upstream.set(uni.subscribe()
                    .with(
                            item -> {
                                permit.close();
                                if (answered.compareAndSet(false, true)) {
                                    emitter.complete(item);
                                }
                            },
                            failure -> {
                                permit.close();
                                if (answered.compareAndSet(false, true)) {
                                    emitter.fail(failure);
                                }
                            }));
            if (callerGone.get() || (cancelAtAbort && permit.aborted())) {
                upstream.get().cancel(); // cancelled or aborted before the work was subscribed
            }
        });
    }

    /**
     * Admits one write for blocking code: {@code try (WritePermit p = guard.admit()) { ...; p.check(); commit }}.
     * Throws ReadOnlyException when the rule refuses it.
     */
    public WritePermit admit() {
        // Count first, then read the state: a flip either refuses this write or sees it in flight.
        counted.incrementAndGet();
        Followed now = followed.get();
        Optional<Refusal> refusal = ReadOnlyRule.admit(now.state(), now.leaseEnd(), Instant.now());
        if (refusal.isPresent()) {
            counted.decrementAndGet();
            throw refuse(refusal.get(), now.state());
        }
        WritePermit permit = new WritePermit(this, now.state().epoch());
        running.add(permit);
        return permit;
    }

    /** Throws ReadOnlyException (and counts it) when a new write would be refused now. */
    public void checkWritable() {
        Followed now = followed.get();
        ReadOnlyRule.admit(now.state(), now.leaseEnd(), Instant.now()).ifPresent(r -> {
            throw refuse(r, now.state());
        });
    }

    /**
     * Until when a write admitted now may still take effect: the end of this instance's READ_WRITE
     * lease (the state last confirmed plus {@code write-guard.state-max-age}). Empty when a new write
     * would be refused now. Stores that can check time themselves (lock-service's Lua script against
     * Redis' clock) refuse a write arriving after it, so a frozen or partitioned path cannot write late.
     */
    public Optional<Instant> writableUntil() {
        Followed now = followed.get();
        return ReadOnlyRule.admit(now.state(), now.leaseEnd(), Instant.now()).isPresent()
                ? Optional.empty()
                : Optional.of(now.leaseEnd());
    }

    /** When the lease of the followed state ends (it matters only for READ_WRITE); null before a state is known. */
    Instant leaseEnd() {
        return followed.get().leaseEnd();
    }

    /** True when a new write would be refused now (read-only, state unknown, or READ_WRITE lease ended). */
    public boolean refusesWrites() {
        return currentRefusal().isPresent();
    }

    /** True while the READ_WRITE state has not been confirmed within {@code write-guard.state-max-age}. */
    public boolean stateStale() {
        return currentRefusal().filter(r -> r == Refusal.STATE_STALE).isPresent();
    }

    /** The ReadOnlyException a write would get now, e.g. to map a database read-only error (SQLSTATE 25006). */
    public ReadOnlyException refusal() {
        Followed now = followed.get();
        return refuse(
                ReadOnlyRule.admit(now.state(), now.leaseEnd(), Instant.now()).orElse(Refusal.READ_ONLY), now.state());
    }

    /** The refusal of a write the database refused because this write path is fenced ({@link FencedWrites}). */
    public ReadOnlyException fenced() {
        return refuse(Refusal.FENCED, followed.get().state());
    }

    /** The followed state (its {@code confirmedAt} is the last confirmation heard). */
    public MaintenanceState state() {
        return followed.get().state();
    }

    public long epoch() {
        return state().epoch();
    }

    /** True once this instance has read a state from the maintenance topic. */
    public boolean stateKnown() {
        return state().known();
    }

    /** When this instance applied the current state (from then on it refuses or admits accordingly). */
    public Instant stateAppliedAt() {
        return followed.get().appliedAt();
    }

    /** When writes admitted before the current READ_ONLY epoch get aborted; empty if none is set. */
    public Optional<Instant> drainDeadline() {
        return Optional.ofNullable(drainDeadline);
    }

    /** Writes in flight: counted by this guard (aborted ones included until they end) plus every extra source. */
    public long inFlight() {
        long n = counted.get();
        for (LongSupplier s : extraSources.values()) {
            n += s.getAsLong();
        }
        return n;
    }

    /** Writes aborted at the drain timeout whose work has not ended yet (they count in {@link #inFlight()}). */
    public long aborted() {
        return running.stream().filter(WritePermit::aborted).count();
    }

    /** Drained for the current READ_ONLY epoch: nothing in flight. */
    public boolean drained() {
        return ReadOnlyRule.drained(state(), inFlight());
    }

    /**
     * Adds writes in flight this guard does not count itself (lock-service: lock transactions
     * holding an EXCLUSIVE item). Replaces a source of the same name.
     */
    public void addInFlightSource(String name, LongSupplier count) {
        extraSources.put(name, count);
    }

    public String instanceId() {
        return identity().instance();
    }

    // ---- called by the follower -------------------------------------------------------------

    /**
     * Applies a state read from the topic at {@code receivedAt}: older epochs are ignored, a mere
     * confirmation only renews the lease. Returns true if the state changed (then MaintenanceStateChanged
     * is fired).
     */
    boolean apply(MaintenanceState next, Instant receivedAt) {
        Instant nextLease = ReadOnlyRule.leaseEnd(next.confirmedAt(), receivedAt, config.stateMaxAge());
        Followed previous;
        Followed updated;
        boolean changed;
        do {
            previous = followed.get();
            if (!ReadOnlyRule.accepts(previous.state(), next)) {
                return false;
            }
            changed = !next.sameStateAs(previous.state());
            Instant lease = ReadOnlyRule.renewedLease(previous.state(), previous.leaseEnd(), next, nextLease);
            updated = new Followed(next, lease, changed ? Instant.now() : previous.appliedAt());
        } while (!followed.compareAndSet(previous, updated));
        if (!changed) {
            return false;
        }
        MaintenanceState before = previous.state();
        if (!before.readOnly() || before.epoch() != next.epoch()) {
            drainDeadline = ReadOnlyRule.drainDeadline(next, Instant.now()).orElse(null);
        }
        forgetAbortedBefore(next.epoch());
        changes.fire(new MaintenanceStateChanged(before, next));
        return true;
    }

    /** Aborts the writes admitted before the current READ_ONLY epoch once its drain deadline has passed. */
    int abortOverdue(Instant now) {
        MaintenanceState current = state();
        Instant deadline = drainDeadline;
        int aborted = 0;
        for (WritePermit p : running) {
            if (ReadOnlyRule.mustAbort(p.epoch(), current, deadline, now) && !p.aborted()) {
                count(Refusal.DRAIN_TIMEOUT);
                p.abort(new ReadOnlyException(
                        Refusal.DRAIN_TIMEOUT,
                        Refusal.DRAIN_TIMEOUT.tag(),
                        current.epoch(),
                        retryAfterSeconds(Refusal.DRAIN_TIMEOUT, current)));
                aborted++;
            }
        }
        return aborted;
    }

    /** Writes aborted in an earlier epoch than {@code epoch} stop counting (their path is fenced or writable again). */
    private void forgetAbortedBefore(long epoch) {
        for (WritePermit p : running) {
            if (p.aborted() && !ReadOnlyRule.abortedStillCounts(p.abortedBy().epoch(), epoch)) {
                release(p);
            }
        }
    }

    void release(WritePermit permit) {
        if (running.remove(permit)) {
            counted.decrementAndGet();
        }
    }

    Identity identity() {
        Identity i = identity;
        if (i == null) {
            i = Identity.of(config);
            identity = i;
        }
        return i;
    }

    void registerMetrics() {
        for (Refusal r : Refusal.values()) {
            refused.put(
                    r,
                    Counter.builder("writeguard.writes.refused")
                            .tag("reason", r.tag())
                            .description("Writes refused by the write guard")
                            .register(registry));
        }
        registry.gauge("writeguard.writes.in.flight", this, g -> g.inFlight());
        registry.gauge("writeguard.writes.aborted", this, g -> g.aborted());
        registry.gauge("writeguard.epoch", this, g -> g.epoch());
        registry.gauge("writeguard.read.only", this, g -> g.state().readOnly() ? 1 : 0);
        registry.gauge("writeguard.state.stale", this, g -> g.stateStale() ? 1 : 0);
    }

    private Optional<Refusal> currentRefusal() {
        Followed now = followed.get();
        return ReadOnlyRule.admit(now.state(), now.leaseEnd(), Instant.now());
    }

    private ReadOnlyException refuse(Refusal refusal, MaintenanceState now) {
        count(refusal);
        String reason = refusal == Refusal.READ_ONLY ? now.reason() : refusal.tag();
        return new ReadOnlyException(refusal, reason, now.epoch(), retryAfterSeconds(refusal, now));
    }

    private void count(Refusal refusal) {
        Counter c = refused.get(refusal);
        if (c != null) {
            c.increment();
        }
    }

    long retryAfterSeconds(Refusal refusal, MaintenanceState now) {
        Duration d;
        if (refusal == Refusal.STATE_UNKNOWN || refusal == Refusal.STATE_STALE || refusal == Refusal.FENCED) {
            d = config.retryAfterUnknown();
        } else if (now.expiresAt() != null) {
            d = Duration.between(Instant.now(), now.expiresAt());
        } else {
            d = config.retryAfter();
        }
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
