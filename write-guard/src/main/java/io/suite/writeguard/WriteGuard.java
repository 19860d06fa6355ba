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
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * What makes a service a write path. Every write goes through {@link #write(Supplier)} (reactive)
 * or {@link #admit()} (blocking); the guard admits it or throws {@link ReadOnlyException}
 * (503 read-only), counts it in flight until it ends, and at the drain timeout of a flip to
 * READ_ONLY fails the writes still running so their transactions roll back.
 */
@ApplicationScoped
public class WriteGuard {
    /** Run this first in a database transaction when {@link #refusesWrites()}: the database refuses writes too. */
    public static final String SET_TRANSACTION_READ_ONLY = "SET TRANSACTION READ ONLY";

    private final AtomicReference<MaintenanceState> state = new AtomicReference<>(MaintenanceState.unknown());
    private final AtomicLong counted = new AtomicLong();
    private final Set<WritePermit> running = ConcurrentHashMap.newKeySet();
    private final Map<String, LongSupplier> extraSources = new ConcurrentHashMap<>();
    private final Map<Refusal, Counter> refused = new ConcurrentHashMap<>();
    private volatile Instant drainDeadline;
    private volatile Instant appliedAt = Instant.now();
    private volatile Identity identity;

    @Inject
    WriteGuardConfig config;
    @Inject
    Event<MaintenanceStateChanged> changes;
    @Inject
    MeterRegistry registry;

    /** Runs {@code work} as one write: admitted or failed with ReadOnlyException, counted until the Uni terminates. */
    public <T> Uni<T> write(Supplier<Uni<T>> work) {
        return write(permit -> work.get());
    }

    /** As {@link #write(Supplier)}, giving the work its permit (call {@code permit.check()} right before COMMIT). */
    public <T> Uni<T> write(Function<WritePermit, Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            WritePermit permit;
            try {
                permit = admit();
            } catch (ReadOnlyException e) {
                emitter.fail(e);
                return;
            }
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Cancellable> upstream = new AtomicReference<>();
            // The drain timeout: cancel the work (its transaction rolls back) and answer read-only at once.
            permit.onAbort(() -> {
                if (done.compareAndSet(false, true)) {
                    Cancellable c = upstream.get();
                    if (c != null) {
                        c.cancel();
                    }
                    permit.close();
                    emitter.fail(abortException(permit));
                }
            });
            emitter.onTermination(() -> {
                if (done.compareAndSet(false, true)) {
                    Cancellable c = upstream.get();
                    if (c != null) {
                        c.cancel(); // the caller cancelled
                    }
                }
                permit.close();
            });
            Uni<T> uni;
            try {
                uni = work.apply(permit);
            } catch (RuntimeException e) {
                uni = Uni.createFrom().failure(e);
            }
            upstream.set(uni.subscribe().with(item -> {
                if (done.compareAndSet(false, true)) {
                    permit.close();
                    emitter.complete(item);
                }
            }, failure -> {
                if (done.compareAndSet(false, true)) {
                    permit.close();
                    emitter.fail(failure);
                }
            }));
            if (done.get()) {
                upstream.get().cancel();
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
        MaintenanceState now = state.get();
        Optional<Refusal> refusal = ReadOnlyRule.admit(now);
        if (refusal.isPresent()) {
            counted.decrementAndGet();
            throw refuse(refusal.get(), now);
        }
        WritePermit permit = new WritePermit(this, now.epoch());
        running.add(permit);
        return permit;
    }

    /** Throws ReadOnlyException (and counts it) when a new write would be refused now. */
    public void checkWritable() {
        MaintenanceState now = state.get();
        ReadOnlyRule.admit(now).ifPresent(r -> {
            throw refuse(r, now);
        });
    }

    /**
     * Until when a write admitted now may still take effect: the end of this instance's READ_WRITE
     * lease (the state last confirmed plus {@code write-guard.state-max-age}). Empty when a new write
     * would be refused now. Stores that can check time themselves (lock-service's Lua script against
     * Redis' clock) refuse a write arriving after it, so a frozen or partitioned path cannot write late.
     */
    public Optional<Instant> writableUntil() {
        // First cut: no lease yet (issue 16 replaces this with confirmedAt + state-max-age).
        return refusesWrites() ? Optional.empty() : Optional.of(Instant.now().plus(Duration.ofDays(1)));
    }

    /** True when a new write would be refused now (read-only or state unknown). */
    public boolean refusesWrites() {
        return ReadOnlyRule.admit(state.get()).isPresent();
    }

    /** The ReadOnlyException a write would get now, e.g. to map a database read-only error (SQLSTATE 25006). */
    public ReadOnlyException refusal() {
        MaintenanceState now = state.get();
        return refuse(ReadOnlyRule.admit(now).orElse(Refusal.READ_ONLY), now);
    }

    public MaintenanceState state() {
        return state.get();
    }

    public long epoch() {
        return state.get().epoch();
    }

    /** True once this instance has read the maintenance topic up to its end. */
    public boolean stateKnown() {
        return state.get().known();
    }

    /** When this instance applied the current state (from then on it refuses or admits accordingly). */
    public Instant stateAppliedAt() {
        return appliedAt;
    }

    /** When writes admitted before the current READ_ONLY epoch get aborted; empty if none is set. */
    public Optional<Instant> drainDeadline() {
        return Optional.ofNullable(drainDeadline);
    }

    /** Writes in flight: counted by this guard plus every extra source. */
    public long inFlight() {
        long n = counted.get();
        for (LongSupplier s : extraSources.values()) {
            n += s.getAsLong();
        }
        return n;
    }

    /** Drained for the current READ_ONLY epoch: nothing in flight. */
    public boolean drained() {
        return ReadOnlyRule.drained(state.get(), inFlight());
    }

    /**
     * Adds writes in flight this guard does not count itself (lock-service: open EXCLUSIVE lock
     * transactions begun before the flip). Replaces a source of the same name.
     */
    public void addInFlightSource(String name, LongSupplier count) {
        extraSources.put(name, count);
    }

    public String instanceId() {
        return identity().instance();
    }

    // ---- called by the follower -------------------------------------------------------------

    /** Applies a state read from the topic; older epochs are ignored. Returns true if it changed. */
    boolean apply(MaintenanceState next) {
        MaintenanceState previous;
        do {
            previous = state.get();
            if (previous.known() && next.epoch() < previous.epoch()) {
                return false;
            }
            if (next.equals(previous)) {
                return false;
            }
        } while (!state.compareAndSet(previous, next));
        appliedAt = Instant.now();
        if (!previous.readOnly() || previous.epoch() != next.epoch()) {
            drainDeadline = ReadOnlyRule.drainDeadline(next, Instant.now()).orElse(null);
        }
        changes.fire(new MaintenanceStateChanged(previous, next));
        return true;
    }

    /** Aborts the writes admitted before the current READ_ONLY epoch once its drain deadline has passed. */
    int abortOverdue(Instant now) {
        MaintenanceState current = state.get();
        Instant deadline = drainDeadline;
        int aborted = 0;
        for (WritePermit p : running) {
            if (ReadOnlyRule.mustAbort(p.epoch(), current, deadline, now) && !p.aborted()) {
                count(Refusal.DRAIN_TIMEOUT);
                p.abort(new ReadOnlyException(Refusal.DRAIN_TIMEOUT, Refusal.DRAIN_TIMEOUT.tag(), current.epoch(),
                        retryAfterSeconds(current)));
                aborted++;
            }
        }
        return aborted;
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
            refused.put(r, Counter.builder("writeguard.writes.refused").tag("reason", r.tag())
                    .description("Writes refused by the write guard").register(registry));
        }
        registry.gauge("writeguard.writes.in.flight", this, g -> g.inFlight());
        registry.gauge("writeguard.epoch", this, g -> g.epoch());
        registry.gauge("writeguard.read.only", this, g -> g.state().readOnly() ? 1 : 0);
    }

    private ReadOnlyException abortException(WritePermit permit) {
        try {
            permit.check();
        } catch (ReadOnlyException e) {
            return e;
        }
        return refusal();
    }

    private ReadOnlyException refuse(Refusal refusal, MaintenanceState now) {
        count(refusal);
        String reason = refusal == Refusal.READ_ONLY ? now.reason() : refusal.tag();
        return new ReadOnlyException(refusal, reason, now.epoch(), retryAfterSeconds(now));
    }

    private void count(Refusal refusal) {
        Counter c = refused.get(refusal);
        if (c != null) {
            c.increment();
        }
    }

    long retryAfterSeconds(MaintenanceState now) {
        Duration d;
        if (!now.known()) {
            d = config.retryAfterUnknown();
        } else if (now.expiresAt() != null) {
            d = Duration.between(Instant.now(), now.expiresAt());
        } else {
            d = config.retryAfter();
        }
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
