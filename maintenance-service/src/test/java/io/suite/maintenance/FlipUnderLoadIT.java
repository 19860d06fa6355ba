package io.suite.maintenance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flip under load across processes: lock-service, two posting-service replicas and
 * maintenance-service on topics of their own. Many threads post receipts to both replicas while
 * the system flips read-only and back; every answer is 201 or 503 read-only, reads never fail,
 * every write path drains, and the Stock register holds exactly the accepted documents.
 */
class FlipUnderLoadIT {
    private static final int WRITERS = 8;
    private static final int FLIPS = 2;

    static Suite suite = new Suite();
    static ServiceProcess maintenance, lock, postingA, postingB;

    @BeforeAll
    static void start() {
        // lock-service is ready once maintenance-service has published the state: both start at once
        var m = CompletableFuture.supplyAsync(() -> ServiceProcess.start("maintenance-service", suite.maintenance()));
        var l = CompletableFuture.supplyAsync(() -> ServiceProcess.start("lock-service", suite.lockService()));
        maintenance = started(m);
        lock = started(l);
        m.join();
        l.join();
        var a = CompletableFuture.supplyAsync(
                () -> ServiceProcess.start("posting-service", suite.postingService(lock.url())));
        var b = CompletableFuture.supplyAsync(
                () -> ServiceProcess.start("posting-service", suite.postingService(lock.url())));
        postingA = started(a);
        postingB = started(b);
        a.join();
        b.join();
    }

    /** The process once its start has ended, or null if it failed: each one started is closed by {@link #stop}. */
    private static ServiceProcess started(CompletableFuture<ServiceProcess> start) {
        return start.exceptionally(e -> null).join();
    }

    @AfterAll
    static void stop() {
        for (ServiceProcess p : new ServiceProcess[] {postingA, postingB, lock, maintenance}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void everyAnswerIsNormalOrReadOnlyAndTheRegistersHoldExactlyTheAcceptedDocuments() throws Exception {
        String item = Unique.name("item"), warehouse = Unique.name("W");
        String[] replicas = {postingA.url(), postingB.url()};
        String receipt = "{\"type\":\"RECEIPT\",\"lines\":[{\"item\":\"" + item + "\",\"warehouse\":\"" + warehouse
                + "\",\"quantity\":1}]}";
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong accepted = new AtomicLong(), refused = new AtomicLong(), reads = new AtomicLong();
        Map<Integer, AtomicLong> refusedByReplica = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            workers.add(pool.submit(() -> {
                for (int n = 0; running.get(); n++) {
                    int replica = (writer + n) % 2;
                    Http.Answer a = Http.post(replicas[replica] + "/v1/documents", receipt);
                    if (a.status() == 201) {
                        accepted.incrementAndGet();
                    } else if (a.status() == 503 && a.body().contains("https://suite.dev/problems/read-only")) {
                        refused.incrementAndGet();
                        refusedByReplica
                                .computeIfAbsent(replica, r -> new AtomicLong())
                                .incrementAndGet();
                    } else {
                        unexpected.add(a.status() + " " + a.body());
                    }
                }
            }));
        }
        workers.add(pool.submit(() -> {
            for (int n = 0; running.get(); n++) {
                Http.Answer a = Http.get(replicas[n % 2] + "/v1/balances?item=" + item + "&warehouse=" + warehouse);
                if (a.status() == 200) {
                    reads.incrementAndGet();
                } else {
                    unexpected.add("read " + a.status() + " " + a.body());
                }
            }
        }));

        String m = maintenance.url() + "/v1/maintenance";
        for (int flip = 0; flip < FLIPS; flip++) {
            long before = accepted.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.get() > before + 5 || !unexpected.isEmpty());
            long refusedBefore = refused.get();
            Http.Answer ro = Http.post(
                    m + "/read-only",
                    "{\"reason\":\"flip under load\",\"durationMs\":120000,\"drainTimeoutMs\":20000}");
            assertEquals(202, ro.status(), ro.body());
            long epoch = ro.json().get("epoch").asLong();
            // DRAINED for this epoch, reported by all three write paths (lock-service and both posting replicas).
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode s = Http.get(m).json();
                assertEquals("DRAINED", s.get("phase").asText(), s.toString());
                assertEquals(epoch, s.get("epoch").asLong());
                long drained = 0;
                for (JsonNode p : s.get("writePaths")) {
                    drained += p.get("state").asText().equals("drained")
                                    && p.get("epoch").asLong() == epoch
                            ? 1
                            : 0;
                }
                assertEquals(3, drained, s.toString());
            });
            long readsInReadOnly = reads.get();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> refused.get() > refusedBefore + 5 && reads.get() > readsInReadOnly);
            Http.Answer rw = Http.post(m + "/read-write", "{\"reason\":\"flip done\"}");
            assertEquals(202, rw.status(), rw.body());
        }
        long last = accepted.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> accepted.get() > last + 5 || !unexpected.isEmpty());
        running.set(false);
        for (var f : workers) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertTrue(unexpected.isEmpty(), "only 201 or 503 read-only, reads always 200: " + unexpected);
        assertTrue(refusedByReplica.size() == 2, "both replicas refused writes: " + refusedByReplica);
        for (String replica : replicas) {
            JsonNode balances = Http.get(replica + "/v1/balances?item=" + item + "&warehouse=" + warehouse)
                    .json()
                    .get("balances");
            assertEquals(accepted.get(), balances.get(0).get("quantity").asLong(), "exactly the accepted receipts");
            JsonNode check = Http.get(replica + "/v1/registers/check").json();
            assertTrue(check.get("consistent").asBoolean(), check.toString());
        }
    }
}
