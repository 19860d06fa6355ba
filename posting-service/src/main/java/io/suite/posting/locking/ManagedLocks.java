package io.suite.posting.locking;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import io.suite.posting.PostingConfig;
import io.suite.posting.PostingMetrics;
import io.suite.posting.PostingProblems;
import io.suite.posting.registers.StockKey;
import io.suite.problems.ProblemTypes;
import io.suite.writeguard.ReadOnlyException;
import io.suite.writeguard.Refusal;

/**
 * EXCLUSIVE managed locks on Stock rows, through lock-service. A posting holds one lock
 * transaction ({@link LockHold}): begun with all its rows locked (one call, all or nothing), ended
 * after COMMIT.
 */
@ApplicationScoped
public class ManagedLocks {
    public static final String STOCK_SPACE = "AccumulationRegister.Stock";
    private static final Logger LOG = Logger.getLogger(ManagedLocks.class);

    /** A granted lock transaction. */
    public record Held(String id, String token, long fencingToken) {
    }

    @Inject
    @RestClient
    LockServiceClient client;
    @Inject
    PostingConfig config;
    @Inject
    PostingMetrics metrics;

    private final String owner = "posting-" + Long.toHexString(ProcessHandle.current().pid());

    /** EXCLUSIVE locks on {@code rows}, asked for when first subscribed, waiting at most {@code posting.lock-wait-timeout}. */
    public LockHold hold(String label, Collection<StockKey> rows) {
        return hold(label, rows, config.lockWaitTimeout());
    }

    /** As {@link #hold(String, Collection)}, waiting at most {@code timeout} (0: not at all). */
    public LockHold hold(String label, Collection<StockKey> rows, Duration timeout) {
        return new LockHold(this, metrics, acquire(label, rows, timeout));
    }

    /** Begins a lock transaction with {@code rows} locked EXCLUSIVE; fails with a 423/409/503 problem. */
    private Uni<Held> acquire(String label, Collection<StockKey> rows, Duration timeout) {
        List<Map<String, String>> data = rows.stream().sorted()
                .map(k -> Map.of("item", k.item(), "warehouse", k.warehouse())).toList();
        LockServiceClient.Begin begin = new LockServiceClient.Begin(owner, label, config.lockLease().toMillis(),
                timeout.toMillis(), List.of(new LockServiceClient.Item(STOCK_SPACE, "EXCLUSIVE", data)));
        // a refused begin (423/409/503) leaves no lock transaction behind: nothing to end;
        // the wait is timed from the call (the Uni is built early, but called right before the balance check)
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return client.begin(begin)
                    .map(tx -> new Held(tx.id(), tx.token(), tx.fencingToken()))
                    .onFailure().transform(ManagedLocks::problem)
                    .eventually(() -> metrics.lockWait(Duration.ofNanos(System.nanoTime() - started)));
        });
    }

    /** Ends the lock transaction; a failure only means its lease will free the locks. */
    public Uni<Void> release(Held held) {
        return client.end(held.id(), held.token()).onFailure().recoverWithItem(e -> {
            LOG.debugf("could not end lock transaction %s (its lease frees it): %s", held.id(), e.toString());
            return null;
        });
    }

    /** Maps a lock-service answer (or no answer) to the problem this service returns; nothing is written. */
    static Throwable problem(Throwable failure) {
        if (failure instanceof HttpProblem) {
            return failure;
        }
        if (failure instanceof WebApplicationException wae && wae.getResponse() != null) {
            Response response = wae.getResponse();
            Map<?, ?> body = body(response);
            int status = response.getStatus();
            if (status == 423) {
                return PostingProblems.lockTimeout(body.containsKey("blockedBy") ? body.get("blockedBy") : List.of());
            }
            if (status == 409) {
                return PostingProblems.deadlock(body.containsKey("cycle") ? body.get("cycle") : List.of());
            }
            if (status == 503 && ProblemTypes.READ_ONLY.toString().equals(String.valueOf(body.get("type")))) {
                return readOnly(body, response.getHeaderString("Retry-After"));
            }
        }
        return unavailable(failure);
    }

    /** lock-service's read-only refusal, passed on in the one shape of write-guard's (with its refusal). */
    private static ReadOnlyException readOnly(Map<?, ?> body, String retryAfter) {
        Refusal refusal = Arrays.stream(Refusal.values()).filter(r -> r.tag().equals(body.get("refusal"))).findFirst()
                .orElse(Refusal.READ_ONLY);
        long epoch = body.get("epoch") instanceof Number n ? n.longValue() : -1;
        long seconds;
        try {
            seconds = retryAfter == null ? 5 : Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            seconds = 5;
        }
        return new ReadOnlyException(refusal, body.get("reason") == null ? "maintenance" : String.valueOf(body.get("reason")),
                epoch, seconds);
    }

    static HttpProblem unavailable(Throwable failure) {
        return PostingProblems.lockServiceUnavailable(failure);
    }

    private static Map<?, ?> body(Response response) {
        try {
            Map<?, ?> body = response.readEntity(Map.class);
            return body == null ? Map.of() : body;
        } catch (RuntimeException e) {
            return Map.of();
        }
    }
}
