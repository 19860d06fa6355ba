package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
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

/**
 * The maintenance state: every change is committed to PostgreSQL (state row locked, history row
 * added) and only then sent to Kafka; the outbox tick re-sends what Kafka did not acknowledge and
 * ends read-only modes that have expired.
 */
@ApplicationScoped
public class Maintenance {
    private static final Logger LOG = Logger.getLogger(Maintenance.class);

    @Inject
    MaintenanceConfig config;
    @Inject
    StatePublisher publisher;
    @Inject
    KafkaTopics topics;
    @Inject
    WritePaths writePaths;
    @Inject
    MeterRegistry registry;

    private final AtomicReference<MaintenanceState> current = new AtomicReference<>();
    private final AtomicLong drainRecordedFor = new AtomicLong(-1);
    private Timer drainTimer;

    void start(@Observes StartupEvent event) throws Throwable {
        // Recover the state from the database, then make sure Kafka carries it (it may have been down).
        MaintenanceState state = VertxContextSupport.subscribeAndAwait(
                () -> Panache.withSession(() -> StateRow.<StateRow>findById(StateRow.ID)).map(StateRow::toState));
        current.set(state);
        LOG.infof("maintenance state recovered: %s epoch %d", state.mode(), state.epoch());
        registerMetrics();
        try {
            topics.ensure();
        } catch (RuntimeException e) {
            LOG.warnf("Kafka not ready at start (%s): the outbox tick will publish later", e.getMessage());
        }
        writePaths.start(this::observePhase);
        VertxContextSupport.subscribeAndAwait(() -> publish(state).onFailure().recoverWithNull());
    }

    void stop(@Observes ShutdownEvent event) {
        writePaths.stop();
    }

    public MaintenanceState current() {
        return current.get();
    }

    public Phase phase() {
        return PhaseRule.phase(current.get(), writePaths.list(Instant.now()), writePaths.caughtUp(), Instant.now(),
                config.lostAfter());
    }

    public List<WritePath> writePaths() {
        return writePaths.list(Instant.now());
    }

    /**
     * Applies {@code rule} to the current state under the row lock; a transition is stored with its
     * history entry and, after COMMIT, sent to Kafka (a failed send is left to the outbox tick).
     */
    public Uni<MaintenanceState> change(Function<MaintenanceState, Optional<Transition>> rule) {
        return Panache.withTransaction(() -> StateRow.<StateRow>findById(StateRow.ID, LockModeType.PESSIMISTIC_WRITE)
                .chain(row -> {
                    Optional<Transition> t = rule.apply(row.toState());
                    if (t.isEmpty()) {
                        return Uni.createFrom().item(row.toState());
                    }
                    row.set(t.get().next());
                    return HistoryRow.of(t.get()).persist().replaceWith(t.get().next());
                }))
                .invoke(this::remember)
                .call(s -> publish(current.get()).onFailure().recoverWithNull());
    }

    /** Every second: end expired read-only, reload the state (another replica may have changed it), re-send unpublished. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, delayed = "1s")
    Uni<Void> tick() {
        return change(s -> Transitions.expire(s, Instant.now()))
                .chain(() -> Panache.withSession(() -> StateRow.<StateRow>findById(StateRow.ID)))
                .chain(row -> {
                    remember(row.toState());
                    return row.version > row.publishedVersion ? publish(row.toState()) : Uni.createFrom().voidItem();
                })
                .onFailure().invoke(e -> LOG.debugf("maintenance tick: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void remember(MaintenanceState s) {
        current.accumulateAndGet(s, (a, b) -> a == null || b.version() >= a.version() ? b : a);
        observePhase();
    }

    /** Sends {@code s} and marks its version published. */
    private Uni<Void> publish(MaintenanceState s) {
        return publisher.send(s)
                .chain(sent -> Panache.withTransaction(() -> StateRow.update(
                        "publishedVersion = ?1 where id = ?2 and publishedVersion < ?1", sent.version(), StateRow.ID)))
                .replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("state epoch %d not published yet (%s): the outbox tick retries",
                        s.epoch(), e.toString()));
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
                .description("0 READ_WRITE, 1 READ_ONLY").register(registry);
        Gauge.builder("maintenance.epoch", this, m -> m.current().epoch()).register(registry);
        Gauge.builder("maintenance.phase", this, m -> m.phase().gauge())
                .description("0 ACTIVE, 1 DRAINING, 2 DRAINED").register(registry);
        for (PhaseRule.PathState state : PhaseRule.PathState.values()) {
            Gauge.builder("maintenance.write.paths", this, m -> m.countPaths(state)).tag("state", state.tag())
                    .description("Write paths by state: live (not drained), drained (for the current epoch), lost")
                    .register(registry);
        }
        drainTimer = Timer.builder("maintenance.drain").description("From the flip to read-only until DRAINED")
                .publishPercentileHistogram().register(registry);
    }

    private double countPaths(PhaseRule.PathState state) {
        Instant now = Instant.now();
        long epoch = current.get().epoch();
        return writePaths.list(now).stream()
                .filter(p -> PhaseRule.classify(p, epoch, now, config.lostAfter()) == state).count();
    }
}
