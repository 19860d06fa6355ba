package io.suite.locks;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.suite.testing.Management;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** GET /v1/locks and its SSE stream, and the safety test under concurrency. */
@QuarkusTest
class StreamAndSafetyTest {
    private final Api api = Api.local();

    @TestHTTPResource("/v1/locks/stream")
    URL stream;

    record Event(String name, String data) {}

    @Test
    void locksAndTheStreamShowHoldersWaitsAndIncidents() throws Exception {
        String space = Unique.name("Stream");
        Api.Tx a = api.begin("monitor-a", "Receipt R-1", 30000);
        api.lockItem(a, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(200);
        api.locks(space)
                .then()
                .statusCode(200)
                .body("locks[0].transaction", equalTo(a.id()))
                .body("locks[0].owner", equalTo("monitor-a"))
                .body("locks[0].label", equalTo("Receipt R-1"))
                .body("locks[0].mode", equalTo("EXCLUSIVE"))
                .body("locks[0].fields.w", equalTo("W1"));

        ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<Stream<String>>> response = http.sendAsync(
                HttpRequest.newBuilder(URI.create(stream + "?space=" + space))
                        .header("Accept", "text/event-stream")
                        .header("Authorization", Tokens.bearer("reader"))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        Thread reader = new Thread(() -> {
            try {
                String[] name = {"message"};
                response.get().body().forEach(line -> {
                    if (line.startsWith("event:")) {
                        name[0] = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        events.add(new Event(name[0], line.substring(5).trim()));
                        name[0] = "message";
                    }
                });
            } catch (Exception e) {
                // the stream ends when the test cancels it
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            await().until(() -> events.stream()
                    .anyMatch(e -> e.name().equals("snapshot")
                            && e.data().contains(a.id())
                            && e.data().contains("Receipt R-1")));

            // a waiter appears in the next snapshot; its timeout is an incident
            Api.Tx b = api.begin("monitor-b", "Shipment S-2", 30000);
            CompletableFuture<Response> waits = api.lockAsync(
                    b, "{\"timeoutMs\":1500,\"items\":[" + Api.item(space, "SHARED", "{\"w\":\"W1\"}") + "]}");
            await().until(() -> events.stream()
                    .anyMatch(e -> e.name().equals("snapshot")
                            && e.data().contains("\"waits\":[{")
                            && e.data().contains(b.id())
                            && e.data().contains("\"blockedBy\":[\"" + a.id() + "\"]")));
            waits.get().then().statusCode(423);
            await().until(() -> events.stream()
                    .anyMatch(e -> e.name().equals("incident")
                            && e.data().contains("\"kind\":\"TIMEOUT\"")
                            && e.data().contains(b.id())
                            && e.data().contains("\"owner\":\"monitor-b\"")
                            && e.data().contains("\"principal\":\"" + Tokens.DEFAULT_USER + "\"")
                            && e.data().contains("Receipt R-1")));
            api.end(a);
            api.end(b);
            await().until(() -> {
                List<Event> all = new ArrayList<>(events);
                Event last = all.stream()
                        .filter(e -> e.name().equals("snapshot"))
                        .reduce((x, y) -> y)
                        .orElseThrow();
                return last.data().equals("{\"locks\":[],\"waits\":[]}");
            });
        } finally {
            response.cancel(true);
        }
    }

    /** One grant in the history: which items, when it was seen granted, when release began, its token. */
    record Hold(String tx, List<LockItem> items, long granted, long released, long token) {}

    /**
     * Many clients on few keys, recording when each grant was seen and when its release was asked
     * for (the real hold lies around that window). No two conflicting holds may overlap, and of two
     * conflicting grants the later must carry the larger fencing token.
     */
    @Test
    void concurrentClientsNeverHoldConflictingLocksTogether() throws Exception {
        String space = Unique.name("Safety");
        ItemParser parser = new ItemParser(new TestLimits());
        ConcurrentLinkedQueue<Hold> history = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
        int clients = 8;
        int rounds = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long seed = c;
            done.add(CompletableFuture.runAsync(
                    () -> {
                        Random random = new Random(seed);
                        for (int r = 0; r < rounds; r++) {
                            Api.Tx tx = api.begin("client-" + seed);
                            List<Hold> mine = new ArrayList<>();
                            int requests = 1 + random.nextInt(2);
                            boolean ended = false;
                            long release = 0;
                            for (int q = 0; q < requests && !ended; q++) {
                                String body = randomRequest(random, space);
                                long sent = System.nanoTime();
                                Response response = api.lock(tx, body);
                                long seen = System.nanoTime();
                                outcomes.add(String.valueOf(response.statusCode()));
                                if (response.statusCode() == 200) {
                                    mine.add(new Hold(
                                            tx.id(),
                                            parser.lockRequest(body).items(),
                                            seen,
                                            0,
                                            response.jsonPath().getLong("fencingToken")));
                                } else if (response.statusCode() == 409) {
                                    // deadlock victim: its locks were freed somewhere between sending and this answer
                                    ended = true;
                                    release = sent;
                                } else {
                                    fail("unexpected " + response.statusCode() + " " + response.asString());
                                }
                            }
                            if (!ended) {
                                release = System.nanoTime();
                                api.end(tx).then().statusCode(204);
                            }
                            for (Hold h : mine) {
                                history.add(new Hold(h.tx(), h.items(), h.granted(), release, h.token()));
                            }
                        }
                    },
                    pool));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        pool.shutdown();

        List<Hold> holds = new ArrayList<>(history);
        assertTrue(holds.size() >= clients * rounds / 2, "enough grants to judge: " + holds.size());
        int conflictingPairs = 0;
        for (int i = 0; i < holds.size(); i++) {
            for (int j = i + 1; j < holds.size(); j++) {
                Hold x = holds.get(i);
                Hold y = holds.get(j);
                if (x.tx().equals(y.tx()) || !conflict(x, y)) {
                    continue;
                }
                conflictingPairs++;
                boolean apart = x.released() <= y.granted() || y.released() <= x.granted();
                assertTrue(apart, "conflicting holds overlapped: " + x + " and " + y);
                Hold first = x.granted() < y.granted() ? x : y;
                Hold later = first == x ? y : x;
                assertTrue(later.token() > first.token(), "fencing token did not grow: " + first + " then " + later);
            }
        }
        assertTrue(conflictingPairs > 0, "the clients did contend");
        api.locks(space).then().body("locks.size()", equalTo(0)).body("waits.size()", equalTo(0));
    }

    private static boolean conflict(Hold x, Hold y) {
        for (LockItem a : x.items()) {
            for (LockItem b : y.items()) {
                if (Conflicts.conflict(a, b)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String randomRequest(Random random, String space) {
        StringBuilder items = new StringBuilder();
        int n = 1 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            String mode = random.nextInt(3) == 0 ? "SHARED" : "EXCLUSIVE";
            String fields = switch (random.nextInt(6)) {
                case 0 -> "{\"k\":{\"in\":[0,1]}}";
                case 1 -> "{}";
                default -> "{\"k\":" + random.nextInt(3) + "}";
            };
            items.append(i == 0 ? "" : ",").append(Api.item(space, mode, fields));
        }
        return "{\"timeoutMs\":60000,\"items\":[" + items + "]}";
    }

    @Test
    void gaugesAndCountersAreScraped() {
        String metrics = RestAssured.get(Management.metrics()).asString();
        for (String name : List.of(
                "locks_wait_seconds_bucket",
                "locks_hold_seconds_count",
                "locks_held ",
                "locks_waiting ",
                "locks_timeouts_total",
                "locks_deadlocks_total",
                "locks_escalations_total",
                "locks_transactions_expired_total")) {
            assertTrue(metrics.contains(name), name);
        }
        assertEquals(200, api.locks(null).statusCode());
        api.locks(null).then().body("locks.transaction", Matchers.not(hasItem("nobody")));
    }
}
