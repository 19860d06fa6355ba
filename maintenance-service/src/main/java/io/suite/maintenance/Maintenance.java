package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.suite.maintenance.fence.Fencing;

/**
 * The maintenance state: every change is committed to PostgreSQL (state row locked, history row
 * added) and only then sent to Kafka. The database is the truth: every confirm-interval the
 * current state is read from it and sent again, stamped {@code confirmedAt} (write paths hold
 * READ_WRITE only as a lease on these confirmations), and expired read-only modes are ended.
 * A second tick fences the write paths that hold DRAINED back and lifts the fences in READ_WRITE.
 */
@ApplicationScoped
public class Maintenance {
    private static final Logger LOG = Logger.getLogger(Maintenance.class);

    private final MaintenanceConfig config;
    private final StatePublisher publisher;
    private final KafkaTopics topics;
    private final WritePaths writePaths;
    private final MeterRegistry registry;
    private final Fencing fencing;
    private final StateLock stateLock;

    Maintenance(
            MaintenanceConfig config,
            StatePublisher publisher,
            KafkaTopics topics,
            WritePaths writePaths,
            MeterRegistry registry,
            Fencing fencing,
            StateLock stateLock) {
        this.config = config;
        this.publisher = publisher;
        this.topics = topics;
        this.writePaths = writePaths;
        this.registry = registry;
        this.fencing = fencing;
        this.stateLock = stateLock;
    }

    private final AtomicReference<MaintenanceState> current = new AtomicReference<>();
    private final AtomicLong drainRecordedFor = new AtomicLong(-1);
    /** The paths fenced in the last read-only epoch seen: forgotten on the return to READ_WRITE if still silent. */
    private volatile Set<String> fencedBefore = Set.of();

    private Timer drainTimer;

    void start(@Observes StartupEvent event) throws Throwable {
        // Recover the state from the database, then make sure Kafka carries it (it may have been down).
        MaintenanceState state = VertxContextSupport.subscribeAndAwait(
                () -> Panache.withSession(() -> StateRow.<StateRow>findById(StateRow.ID))
                        .map(StateRow::toState));
        current.set(state);
        LOG.infof("maintenance state recovered: %s epoch %d", state.mode(), state.epoch());
        registerMetrics();
        fencing.fenced(state.epoch()); // reads maintenance.fence.roles now: a bad entry fails the start
        try {
            topics.ensure();
        } catch (RuntimeException e) {
            LOG.warnf("Kafka not ready at start (%s): the outbox tick will publish later", e.getMessage());
        }
        writePaths.start(this::observePhase);
        VertxContextSupport.subscribeAndAwait(() -> confirm().onFailure().recoverWithNull());
    }

    void stop(@Observes ShutdownEvent event) {
        writePaths.stop();
    }

    public MaintenanceState current() {
        return current.get();
    }

    public Phase phase() {
        MaintenanceState s = current.get();
        return PhaseRule.phase(
                s, writePaths.list(), fenced(s), writePaths.caughtUp(), Instant.now(), config.lostAfter());
    }

    /**
     * The phase of {@code s} over exactly {@code paths} and {@code fenced} as read by the caller, so that a view never
     * shows DRAINED beside a path it lists as lost (two readings could differ). An older state than the current one
     * (a change's own answer) needs no catching up.
     */
    public Phase phase(MaintenanceState s, List<WritePath> paths, Set<String> fenced, Instant now) {
        boolean caughtUp = s.version() != current.get().version() || writePaths.caughtUp();
        return PhaseRule.phase(s, paths, fenced, caughtUp, now, config.lostAfter());
    }

    public List<WritePath> writePaths() {
        return writePaths.list();
    }

    /** The write paths fenced in {@code s}'s epoch (none in READ_WRITE: the fences are lifted). */
    public Set<String> fenced(MaintenanceState s) {
        return s.readOnly() ? fencing.fenced(s.epoch()) : Set.of();
    }

    /**
     * Applies {@code rule} to the current state under the row lock; a transition is stored with its
     * history entry and, after COMMIT, sent to Kafka (a failed send is left to the outbox tick).
     */
    public Uni<MaintenanceState> change(Function<MaintenanceState, Optional<Transition>> rule) {
        AtomicReference<Instant> lockedAt = new AtomicReference<>();
        AtomicBoolean changed = new AtomicBoolean();
        AtomicLong started = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        return Uni.createFrom()
                .voidItem()
                .invoke(() -> started.set(System.nanoTime()))
                .chain(() -> Panache.withTransaction(() -> StateRow.<StateRow>findById(
                                StateRow.ID, LockModeType.PESSIMISTIC_WRITE)
                        .chain(row -> {
                            lockedAt.set(Instant.now());
                            Optional<Transition> t = rule.apply(row.toState());
                            if (t.isEmpty()) {
                                return Uni.createFrom().item(row.toState());
                            }
                            changed.set(true);
                            row.set(t.get().next());
                            return HistoryRow.of(t.get())
                                    .persist()
                                    .replaceWith(t.get().next());
                        })))
                .invoke(() -> committed.set(System.nanoTime()))
                .invoke(this::remember)
                // Back to READ_WRITE: grant the fenced roles back before the paths hear it, or their
                // first writes would meet a role that still cannot write.
                .call(s -> changed.get() && !s.readOnly()
                        ? fencing.liftAll()
                        : Uni.createFrom().voidItem())
                // No change: the caller gets the state; the next confirmation re-sends it anyway.
                .call(s -> changed.get()
                        ? publish(s, lockedAt.get(), false, true)
                                .invoke(() -> LOG.infof(
                                        "%s epoch %d: committed in %d ms, on Kafka after %d ms",
                                        s.mode(),
                                        s.epoch(),
                                        (committed.get() - started.get()) / 1_000_000,
                                        (System.nanoTime() - started.get()) / 1_000_000))
                                .onFailure()
                                .recoverWithNull()
                        : Uni.createFrom().voidItem());
    }

    /** Every confirm-interval: end expired read-only, then confirm the state the database holds. */
    @Scheduled(
            every = "${maintenance.confirm-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "${maintenance.confirm-interval:1s}")
    Uni<Void> tick() {
        return change(s -> Transitions.expire(s, Instant.now()))
                .chain(this::confirm)
                .onFailure()
                .invoke(e -> LOG.debugf("maintenance tick: %s", e.toString()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Reads the state under a share lock (so the confirmation's time is before any later change
     * commits, also on another replica) and sends it: another replica's change is picked up, and
     * an empty, deleted or re-created state topic is filled again.
     */
    Uni<Void> confirm() {
        AtomicReference<Instant> confirmedAt = new AtomicReference<>();
        AtomicLong publishedVersion = new AtomicLong();
        return stateLock
                .shared(s -> {
                    confirmedAt.set(Instant.now());
                    return StateRow.<StateRow>findById(StateRow.ID)
                            .invoke(row -> publishedVersion.set(row.publishedVersion))
                            .replaceWith(s);
                })
                .chain(s -> {
                    remember(s);
                    return publish(s, confirmedAt.get(), true, s.version() > publishedVersion.get());
                });
    }

    /** Every second: fence the write paths due, lift the fences in READ_WRITE, forget paths no longer needed. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, delayed = "1s")
    Uni<Void> fenceTick() {
        MaintenanceState s = current.get();
        if (s == null) {
            return Uni.createFrom().voidItem(); // not started yet
        }
        Instant now = Instant.now();
        return fencing.enforce(s, writePaths.list(), now)
                .invoke(() -> forgetSilentPaths(s, now))
                .invoke(this::observePhase)
                .onFailure()
                .invoke(e -> LOG.warnf("fence tick: %s", e.toString()))
                .onFailure()
                .recoverWithNull();
    }

    /**
     * A silent path is remembered (it may hold a write in flight) until it has been fenced in a
     * read-only epoch and READ_WRITE returned (the fence ended its sessions while its lease was
     * over), or, silent since READ_WRITE, for drop-after. Never forgotten in read-only mode.
     */
    private void forgetSilentPaths(MaintenanceState s, Instant now) {
        if (s.readOnly()) {
            fencedBefore = Set.copyOf(fencing.fenced(s.epoch()));
            return;
        }
        Set<String> fencedThen = fencedBefore;
        fencedBefore = Set.of();
        writePaths.forget(p -> PhaseRule.dropped(p, now, config.dropAfter())
                || (fencedThen.contains(p.instance()) && PhaseRule.silent(p, now, config.lostAfter())));
    }

    private void remember(MaintenanceState s) {
        current.accumulateAndGet(s, (a, b) -> a == null || b.version() >= a.version() ? b : a);
        observePhase();
    }

    /** Sends {@code s}; {@code markPublished}: then records its version as published (the outbox). */
    private Uni<Void> publish(MaintenanceState s, Instant confirmedAt, boolean checkTopic, boolean markPublished) {
        return publisher
                .send(s, confirmedAt, checkTopic)
                .chain(sent -> !markPublished
                        ? Uni.createFrom().voidItem()
                        : Panache.withTransaction(() -> StateRow.markPublished(sent.version()))
                                .replaceWithVoid())
                .onFailure()
                .invoke(e -> LOG.warnf(
                        "state epoch %d not published yet (%s): the outbox tick retries", s.epoch(), e.toString()));
    }

    /** Records time to drain once per read-only epoch, when the phase is first seen DRAINED. */
    void observePhase() {
        MaintenanceState s = current.get();
        if (s == null || drainTimer == null || !s.readOnly() || drainRecordedFor.get() == s.epoch()) {
            return;
        }
        if (phase() == Phase.DRAINED && drainRecordedFor.getAndSet(s.epoch()) != s.epoch()) {
            drainTimer.record(Duration.between(s.since(), Instant.now()));
        }
    }

    private void registerMetrics() {
        Gauge.builder("maintenance.mode", this, m -> m.current().mode().gauge())
                .description("0 READ_WRITE, 1 READ_ONLY")
                .register(registry);
        Gauge.builder("maintenance.epoch", this, m -> m.current().epoch()).register(registry);
        Gauge.builder("maintenance.phase", this, m -> m.phase().gauge())
                .description("0 ACTIVE, 1 DRAINING, 2 DRAINED")
                .register(registry);
        for (PhaseRule.PathState state : PhaseRule.PathState.values()) {
            Gauge.builder("maintenance.write.paths", this, m -> m.countPaths(state))
                    .tag("state", state.tag())
                    .description("Write paths by state: live (not drained), drained (for the current epoch),"
                            + " lost (silent, not fenced), fenced (for the current epoch)")
                    .register(registry);
        }
        drainTimer = Timer.builder("maintenance.drain")
                .description("From the flip to read-only until DRAINED")
                .publishPercentileHistogram()
                .register(registry);
    }

    private double countPaths(PhaseRule.PathState state) {
        Instant now = Instant.now();
        MaintenanceState s = current.get();
        Set<String> fenced = fenced(s);
        return writePaths.list().stream()
                .filter(p -> PhaseRule.classify(p, s.epoch(), fenced, now, config.lostAfter()) == state)
                .count();
    }
}
