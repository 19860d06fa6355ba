package io.suite.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.suite.testing.Http;
import io.suite.testing.Unique;

/**
 * The history of one fault case: every posting request (its Idempotency-Key, which is also the
 * document number) with its answer and the times it was sent and answered, and every maintenance
 * phase the test saw. The checks read this history and the database, not the answers alone.
 */
final class Ledger {
    record Posting(String key, String replica, Instant sent, Instant answered, int status, String problem, String id) {
        boolean accepted() {
            return status == 201;
        }
    }

    private final ConcurrentLinkedQueue<Posting> postings = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    private final Set<String> killed = ConcurrentHashMap.newKeySet();
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    final String prefix = Unique.name("fi");
    /** The lock grants of this case and the read-only windows they are checked against. */
    final LockHistory locks = new LockHistory(this);

    /** Posts a document to {@code replica} and records it with its answer. */
    Posting post(String replica, String type, String item, String warehouse, int quantity) {
        String key = Unique.name(prefix + "-doc");
        String body = "{\"type\":\"" + type + "\",\"number\":\"" + key + "\",\"lines\":[{\"item\":\"" + item
                + "\",\"warehouse\":\"" + warehouse + "\",\"quantity\":" + quantity + "}]}";
        Instant sent = Instant.now();
        Http.Answer a =
                Http.post(replica + "/v1/documents", body, Map.of("Idempotency-Key", key), Duration.ofSeconds(60));
        String id = a.status() == 201 ? a.json().path("id").asText() : null;
        Posting p = new Posting(key, replica, sent, Instant.now(), a.status(), a.problem(), id);
        postings.add(p);
        return p;
    }

    void event(String what) {
        events.add(Instant.now() + " " + what);
    }

    /** {@code url}'s process was killed (SIGKILL): a request to it may get no answer at all. */
    void killed(String url) {
        killed.add(url);
        down.add(url);
        event("killed " + url);
    }

    /** {@code url}'s process was started again: the load sends to it again. */
    void revived(String url) {
        down.remove(url);
        event("started again " + url);
    }

    /** The load leaves a killed process alone until it is started again (no busy loop of refused connections). */
    boolean isDown(String url) {
        return down.contains(url);
    }

    /** No answer (status 0) is one a client may get only from a process that was killed. */
    boolean mayGoUnanswered(String url) {
        return killed.contains(url);
    }

    List<Posting> postings() {
        return new ArrayList<>(postings);
    }

    long accepted() {
        return postings.stream().filter(Posting::accepted).count();
    }

    /** Answers that a client of the suite may get under faults: anything else is a broken promise. */
    List<Posting> unexpected() {
        Set<String> allowed = Set.of(
                "read-only",
                "insufficient-stock",
                "outcome-unknown",
                "lock-timeout",
                "lock-service-unavailable",
                "database-unavailable");
        return postings.stream()
                .filter(p -> !p.accepted()
                        && !allowed.contains(p.problem())
                        && !(p.status() == 0 && mayGoUnanswered(p.replica())))
                .toList();
    }

    String describe() {
        return String.join("\n", events) + "\n" + postings.size() + " postings, " + accepted() + " accepted";
    }

    /** Writers posting receipts and shipments of {@code items} in a loop until stopped. */
    final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService pool;
        private final List<Future<?>> writers = new ArrayList<>();
        final AtomicInteger answers = new AtomicInteger();

        Load(List<String> replicas, List<String> items, String warehouse, int threads) {
            pool = Executors.newFixedThreadPool(threads);
            for (int t = 0; t < threads; t++) {
                int writer = t;
                writers.add(pool.submit(() -> {
                    for (int n = 0; running.get(); n++) {
                        String replica = replicas.get((writer + n) % replicas.size());
                        if (isDown(replica)) {
                            continue;
                        }
                        String item = items.get((writer * 7 + n) % items.size());
                        boolean receipt = n % 3 == 0;
                        post(replica, receipt ? "RECEIPT" : "SHIPMENT", item, warehouse, receipt ? 5 : 1 + n % 3);
                        answers.incrementAndGet();
                    }
                }));
            }
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            for (Future<?> f : writers) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
    }
}
