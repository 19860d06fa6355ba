package io.suite.locks;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;

/** The suite's agreed lock metrics, registered at start-up so they are scraped even at zero. */
@ApplicationScoped
public class LockMetrics {
    static final String NONE = "none";
    private final MeterRegistry registry;
    private final LockConfig config;
    private final Set<String> spaces = ConcurrentHashMap.newKeySet();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong waiting = new AtomicLong();
    private Counter deadlocks;
    private Counter expired;

    LockMetrics(MeterRegistry registry, LockConfig config) {
        this.registry = registry;
        this.config = config;
    }

    void register(@Observes StartupEvent start) {
        for (String outcome : new String[] {"granted", "timeout", "deadlock"}) {
            waitTimer(NONE, outcome);
        }
        holdTimer(NONE);
        registry.gauge("locks.held", held);
        registry.gauge("locks.waiting", waiting);
        registry.counter("locks.timeouts", "space", NONE);
        registry.counter("locks.escalations", "space", NONE);
        for (String kind : Incidents.KINDS) {
            registry.counter("locks.incidents", "kind", kind, "space", NONE);
        }
        deadlocks = registry.counter("locks.deadlocks");
        expired = registry.counter("locks.transactions.expired");
    }

    /** Space names come from clients: past a limit they share one tag value. */
    private String tag(String space) {
        if (spaces.contains(space)) {
            return space;
        }
        if (spaces.size() < config.metricsMaxSpaces()) {
            spaces.add(space);
            return space;
        }
        return "other";
    }

    private Timer waitTimer(String space, String outcome) {
        return timers.computeIfAbsent(
                "wait\n" + space + "\n" + outcome,
                k -> Timer.builder("locks.wait")
                        .tag("space", space)
                        .tag("outcome", outcome)
                        .publishPercentileHistogram()
                        .register(registry));
    }

    private Timer holdTimer(String space) {
        return timers.computeIfAbsent(
                "hold\n" + space,
                k -> Timer.builder("locks.hold")
                        .tag("space", space)
                        .publishPercentileHistogram()
                        .register(registry));
    }

    void waited(Set<String> requestSpaces, String outcome, long nanos) {
        for (String s : requestSpaces) {
            waitTimer(tag(s), outcome).record(Duration.ofNanos(nanos));
        }
    }

    void held(String space, long millis) {
        holdTimer(tag(space)).record(Duration.ofMillis(Math.max(0, millis)));
    }

    void timeout(Set<String> requestSpaces) {
        for (String s : requestSpaces) {
            registry.counter("locks.timeouts", "space", tag(s)).increment();
        }
    }

    /** Gauges: set from Redis (all replicas' locks), not counted here. */
    void gauges(long heldNow, long waitingNow) {
        held.set(heldNow);
        waiting.set(waitingNow);
    }

    void deadlock() {
        deadlocks.increment();
    }

    void escalation(String space) {
        registry.counter("locks.escalations", "space", tag(space)).increment();
    }

    /** An incident this replica recorded (each is recorded by one replica). */
    void incident(String kind, String space) {
        registry.counter("locks.incidents", "kind", kind, "space", tag(space)).increment();
    }

    void expired(int n) {
        expired.increment(n);
    }
}
