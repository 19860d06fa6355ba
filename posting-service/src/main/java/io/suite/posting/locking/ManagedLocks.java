package io.suite.posting.locking;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
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

    /** A granted lock transaction; {@code escalated}: what lock-service made of its items (usually nothing). */
    public record Held(String id, String token, long fencingToken, List<Escalation> escalated) {
        /** This grant and a later one in the same transaction: the larger token covers every row. */
        Held and(long token, List<Escalation> more) {
            List<Escalation> all = new ArrayList<>(escalated);
            more.stream().filter(e -> !all.contains(e)).forEach(all::add);
            return new Held(id, this.token, Math.max(fencingToken, token), all);
        }
    }

    private final LockServiceClient client;
    private final PostingConfig config;
    private final PostingMetrics metrics;

    ManagedLocks(@RestClient LockServiceClient client, PostingConfig config, PostingMetrics metrics) {
        this.client = client;
        this.config = config;
        this.metrics = metrics;
    }

    private final String owner =
            "posting-" + Long.toHexString(ProcessHandle.current().pid());

    /** EXCLUSIVE locks on {@code rows}, asked for when first subscribed, waiting at most {@code posting.lock-wait-timeout}. */
    public LockHold hold(String label, Collection<StockKey> rows) {
        return hold(label, rows, config.lockWaitTimeout());
    }

    /** As {@link #hold(String, Collection)}, waiting at most {@code timeout} (0: not at all). */
    public LockHold hold(String label, Collection<StockKey> rows, Duration timeout) {
        return hold(label, rows, timeout, false);
    }

    /**
     * As {@link #hold(String, Collection, Duration)}. {@code divisible}: the caller splits its work when
     * lock-service refuses the request as too large ({@link LockRequestTooLarge}, a posting run's batch);
     * otherwise the rows are asked for in parts, in one lock transaction.
     */
    public LockHold hold(String label, Collection<StockKey> rows, Duration timeout, boolean divisible) {
        List<Map<String, String>> data = rows.stream()
                .sorted()
                .map(k -> Map.of("item", k.item(), "warehouse", k.warehouse()))
                .toList();
        return new LockHold(this, metrics, acquire(label, data, timeout, divisible));
    }

    /** Begins a lock transaction with {@code rows} locked EXCLUSIVE; fails with a 423/409/503 problem. */
    private Uni<Held> acquire(String label, List<Map<String, String>> rows, Duration timeout, boolean divisible) {
        // a refused begin (423/409/503) leaves no lock transaction behind: nothing to end;
        // the wait is timed from the call (the Uni is built early, but called right before the balance check)
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return begin(label, rows, timeout)
                    .onFailure(e -> e instanceof LockRequestTooLarge && !divisible && rows.size() > 1)
                    .recoverWithUni(e -> inParts(label, rows, timeout, rows.size() / 2))
                    // one row too large: lock-service is not answering as DESIGN.md says
                    .onFailure(e -> e instanceof LockRequestTooLarge && !divisible)
                    .transform(ManagedLocks::unavailable)
                    .invoke(held -> held.escalated().forEach(e -> metrics.escalation(e.space())))
                    .eventually(() -> metrics.lockWait(Duration.ofNanos(System.nanoTime() - started)));
        });
    }

    private Uni<Held> begin(String label, List<Map<String, String>> rows, Duration timeout) {
        LockServiceClient.Begin begin = new LockServiceClient.Begin(
                owner, label, config.lockLease().toMillis(), timeout.toMillis(), items(rows));
        return client.begin(begin)
                .map(tx -> new Held(tx.id(), tx.token(), tx.fencingToken(), Escalation.parse(tx.escalated())))
                .onFailure()
                .transform(e -> problem(e, rows.size()));
    }

    /**
     * One document's rows, more than lock-service takes in one request: begun with the first {@code part}
     * rows, the others added {@code part} at a time (in the same order, so two such postings do not
     * deadlock each other; lock-service would name the victim if others did). A part refused as too large
     * is halved. Any refusal ends the transaction: nothing stays locked.
     */
    private Uni<Held> inParts(String label, List<Map<String, String>> rows, Duration timeout, int part) {
        LOG.debugf("lock request of %d rows too large for lock-service: in parts of %d", rows.size(), part);
        return begin(label, rows.subList(0, part), timeout).onItemOrFailure().transformToUni((held, e) -> {
            if (e instanceof LockRequestTooLarge && part > 1) {
                return inParts(label, rows, timeout, part / 2);
            }
            if (e != null) {
                return Uni.createFrom().failure(e);
            }
            return rest(held, rows, part, part, timeout).onFailure().call(f -> release(held));
        });
    }

    private Uni<Held> rest(Held held, List<Map<String, String>> rows, int from, int part, Duration timeout) {
        if (from >= rows.size()) {
            return Uni.createFrom().item(held);
        }
        List<Map<String, String>> next = rows.subList(from, Math.min(rows.size(), from + part));
        return client.lock(held.id(), held.token(), new LockServiceClient.Lock(timeout.toMillis(), items(next)))
                .onFailure()
                .transform(e -> problem(e, next.size()))
                .onItemOrFailure()
                .transformToUni((grant, e) -> {
                    if (e instanceof LockRequestTooLarge && part > 1) {
                        return rest(held, rows, from, part / 2, timeout);
                    }
                    if (e != null) {
                        return Uni.createFrom().failure(e);
                    }
                    return rest(
                            held.and(grant.fencingToken(), Escalation.parse(grant.escalated())),
                            rows,
                            from + next.size(),
                            part,
                            timeout);
                });
    }

    private static List<LockServiceClient.Item> items(List<Map<String, String>> rows) {
        return List.of(new LockServiceClient.Item(STOCK_SPACE, "EXCLUSIVE", rows));
    }

    /** Ends the lock transaction; a failure only means its lease will free the locks. */
    public Uni<Void> release(Held held) {
        return client.end(held.id(), held.token()).onFailure().recoverWithItem(e -> {
            LOG.debugf("could not end lock transaction %s (its lease frees it): %s", held.id(), e.toString());
            return null;
        });
    }

    /**
     * Maps a lock-service answer (or no answer) to the problem this service returns; nothing is written.
     * A refusal for the request's size ({@code rows} rows) is {@link LockRequestTooLarge}.
     */
    static Throwable problem(Throwable failure, int rows) {
        if (failure instanceof HttpProblem || failure instanceof LockRequestTooLarge) {
            return failure;
        }
        if (failure instanceof WebApplicationException wae && wae.getResponse() != null) {
            Response response = wae.getResponse();
            Map<?, ?> body = body(response);
            int status = response.getStatus();
            if (status == 413 || status == 400 && tooManyItems(body)) {
                return new LockRequestTooLarge(rows);
            }
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

    /** lock-service's 400 for more items than {@code lock.max-items-per-request}: a violation on {@code items}. */
    private static boolean tooManyItems(Map<?, ?> body) {
        return body.get("violations") instanceof List<?> violations
                && violations.stream()
                        .anyMatch(v -> v instanceof Map<?, ?> m
                                && "items".equals(m.get("field"))
                                && String.valueOf(m.get("message")).startsWith("more than"));
    }

    /** lock-service's read-only refusal, passed on in the one shape of write-guard's (with its refusal). */
    private static ReadOnlyException readOnly(Map<?, ?> body, String retryAfter) {
        Refusal refusal = Arrays.stream(Refusal.values())
                .filter(r -> r.tag().equals(body.get("refusal")))
                .findFirst()
                .orElse(Refusal.READ_ONLY);
        long epoch = body.get("epoch") instanceof Number n ? n.longValue() : -1;
        long seconds;
        try {
            seconds = retryAfter == null ? 5 : Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            seconds = 5;
        }
        return new ReadOnlyException(
                refusal,
                body.get("reason") == null ? "maintenance" : String.valueOf(body.get("reason")),
                epoch,
                seconds);
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
