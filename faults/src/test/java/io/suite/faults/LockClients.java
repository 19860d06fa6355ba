package io.suite.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.awaitility.core.ConditionTimeoutException;

import io.suite.testing.Http;
import io.suite.testing.Tokens;

import static org.awaitility.Awaitility.await;

/**
 * Clients of lock-service's REST API, as posting would use it, recording into the case's
 * {@link LockHistory}: each begins a transaction with its items in one call (EXCLUSIVE or SHARED Stock
 * rows of a few items, a long lease), does one call of work on it while it holds them, and ends it. They
 * go round the lock replicas they are given, and end a transaction through another replica when the one
 * that granted it does not answer.
 */
final class LockClients implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final long LEASE_MS = 60_000;

    private final Ledger ledger;
    private final List<String> replicas;
    private final String space;
    private final List<String> items;
    private final String warehouse;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService pool;
    private final List<Future<?>> clients = new ArrayList<>();
    final AtomicInteger granted = new AtomicInteger();
    final AtomicInteger answers = new AtomicInteger();

    /** The items of {@code warehouse} and one of {@code items} in this case's Stock space. */
    LockHistory.Item item(String mode, String item) {
        return new LockHistory.Item(space, mode, warehouse, item);
    }

    LockClients(Ledger ledger, List<String> replicas, List<String> items, String warehouse, int threads) {
        this.ledger = ledger;
        this.replicas = replicas;
        this.space = ledger.prefix + "-Stock";
        this.items = items;
        this.warehouse = warehouse;
        pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            int client = t;
            clients.add(pool.submit(() -> {
                for (int n = 0; running.get(); n++) {
                    String replica = replicas.get((client + n) % replicas.size());
                    if (!ledger.isDown(replica)) {
                        cycle(replica, request(client, n));
                    }
                }
                return null;
            }));
        }
    }

    /** One or two items; two of three requests EXCLUSIVE. */
    private List<LockHistory.Item> request(int client, int n) {
        String mode = (client + n) % 3 == 0 ? "SHARED" : "EXCLUSIVE";
        List<LockHistory.Item> request = new ArrayList<>();
        request.add(new LockHistory.Item(space, mode, warehouse, items.get((client * 5 + n) % items.size())));
        if (n % 4 == 1) {
            String other = items.get((client * 5 + n + 1) % items.size());
            if (!other.equals(request.get(0).item())) {
                request.add(new LockHistory.Item(space, mode, warehouse, other));
            }
        }
        return request;
    }

    private void cycle(String replica, List<LockHistory.Item> request) {
        LockHistory.Grant g = grant(replica, request, 2000);
        if (g != null) {
            granted.incrementAndGet();
            send(replica, "/v1/lock-transactions/" + g.transaction, g.lockToken, "GET"); // the work done while holding
            release(g);
        }
    }

    /** Begins a transaction with {@code request} through {@code replica}; the grant, or null (the refusal recorded). */
    LockHistory.Grant grant(String replica, List<LockHistory.Item> request, long timeoutMs) {
        String body = "{\"owner\":\"faults\",\"label\":\"" + ledger.prefix + "\",\"leaseMs\":" + LEASE_MS
                + ",\"timeoutMs\":" + timeoutMs + ",\"items\":["
                + request.stream().map(LockHistory.Item::json).collect(Collectors.joining(",")) + "]}";
        Instant sent = Instant.now();
        Http.Answer a = Http.post(replica + "/v1/lock-transactions", body, Map.of(), Duration.ofSeconds(60));
        Instant answered = Instant.now();
        answers.incrementAndGet();
        if (a.status() != 201) {
            ledger.locks.refused(new LockHistory.Refusal(replica, sent, answered, a.status(), a.problem(), a.body()));
            return null;
        }
        LockHistory.Grant g = new LockHistory.Grant(
                a.json().get("id").asText(),
                a.json().get("token").asText(),
                replica,
                request,
                sent,
                answered,
                a.json().get("fencingToken").asLong());
        ledger.locks.granted(g);
        return g;
    }

    /** Records the release as sent, then ends the transaction. */
    void release(LockHistory.Grant g) {
        g.releaseSent = Instant.now();
        end(g.replica, g.transaction, g.lockToken);
    }

    /**
     * Ends the transaction, through the next replica on each try, until lock-service says it is gone (204 or
     * 404); after the lease it is gone anyway. Tries every 200 ms: a client's back-off (Retry-After).
     */
    private void end(String replica, String id, String token) {
        AtomicInteger attempt = new AtomicInteger();
        try {
            await().atMost(Duration.ofMillis(LEASE_MS))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        String via =
                                replicas.get((replicas.indexOf(replica) + attempt.getAndIncrement()) % replicas.size());
                        int status = ledger.isDown(via) ? 0 : send(via, "/v1/lock-transactions/" + id, token, "DELETE");
                        return status == 204 || status == 404;
                    });
        } catch (ConditionTimeoutException e) {
            // the lease has run out: lock-service has dropped the transaction itself
        }
    }

    private static int send(String replica, String path, String token, String method) {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(replica + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("X-Lock-Token", token)
                    .header("Authorization", Tokens.bearer()) // the principal that began it (Http's default user)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build();
            return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        for (Future<?> f : clients) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }
}
