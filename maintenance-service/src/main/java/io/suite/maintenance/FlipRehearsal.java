package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.LockModeType;
import jakarta.validation.Validator;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/**
 * The first flip after a start answered in over a second (bench: 1.3 s for its 202, warm flips about
 * 100 ms): its request body was the first read by Jackson and checked by Hibernate Validator, its UPDATE
 * of the state row and INSERT of a history row the first Hibernate Reactive built and PostgreSQL prepared,
 * its answer the first view written, and the outbox's
 * HQL update after the send the first parsed. At start-up (after {@link Maintenance#start}) this rehearses them
 * once: a read-only request read and validated, the flip's statements run in a transaction that is always
 * rolled back (nothing changes, nothing is published), and the state's view written.
 */
@ApplicationScoped
public class FlipRehearsal {
    private static final Logger LOG = Logger.getLogger(FlipRehearsal.class);

    private final ObjectMapper json;
    private final Validator validator;
    private final MaintenanceResource resource;
    private volatile boolean rehearsed;

    FlipRehearsal(ObjectMapper json, Validator validator, MaintenanceResource resource) {
        this.json = json;
        this.validator = validator;
        this.resource = resource;
    }

    /** Whether the start-up rehearsal went through to its end. */
    boolean rehearsed() {
        return rehearsed;
    }

    /** The failure that rolls the rehearsal back. */
    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super("rehearsal rolled back", null, false, false);
        }
    }

    void rehearse(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent event) {
        long start = System.nanoTime();
        try {
            Requests.ReadOnly body = json.readValue(
                    "{\"reason\":\"rehearsal\",\"durationMs\":60000,\"drainTimeoutMs\":1000}", Requests.ReadOnly.class);
            validator.validate(body);
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> StateRow.<StateRow>findById(
                                    StateRow.ID, LockModeType.PESSIMISTIC_WRITE)
                            .chain(row -> {
                                MaintenanceState cur = row.toState();
                                Transition t = cur.readOnly()
                                        ? Transitions.readWrite(
                                                        cur, "rehearsal", null, true, "rehearsal", Instant.now())
                                                .orElseThrow()
                                        : Transitions.readOnly(
                                                cur,
                                                "rehearsal",
                                                Duration.ofMinutes(1),
                                                Duration.ofSeconds(1),
                                                null,
                                                "rehearsal",
                                                Instant.now());
                                row.set(t.next());
                                return HistoryRow.of(t)
                                        .persist()
                                        .call(Panache::flush)
                                        .chain(() ->
                                                StateRow.markPublished(t.next().version()));
                            })
                            .chain(() -> Uni.createFrom().failure(new RolledBack())))
                    .onFailure(RolledBack.class)
                    .recoverWithNull());
            // not resource.get(): its role check refuses a call that comes from no request
            json.writeValueAsString(resource.currentView());
            rehearsed = true;
            LOG.infof("first flip rehearsed (rolled back) in %d ms", (System.nanoTime() - start) / 1_000_000);
        } catch (Throwable e) {
            // only a warm-up: the first flip is slower, nothing else
            LOG.warnf("first flip not rehearsed: %s", e.toString());
        }
    }
}
