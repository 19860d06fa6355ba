package io.suite.posting.runs;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.suite.posting.Api;
import io.suite.posting.PostingTestResources;
import io.suite.testing.Http;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static io.suite.posting.Api.line;
import static io.suite.posting.Api.transferLine;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenario (1C's "multi-threaded posting by warehouse"): a posting run of heavy transfers
 * between two warehouses, each more rows than the escalation threshold, while clerks post shipments in
 * another warehouse. Every transfer escalates, and lock-service's incidents log shows that the covers
 * named only the run's warehouses and that no clerk's wait was ever blocked by a run transaction.
 * With whole-space escalation (lock-service {@code lock.escalation-cover=space}) the clerks wait for the run.
 */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
class PostingRunBesideClerksTest {
    private static final String STOCK = "AccumulationRegister.Stock";

    @Test
    void clerksInOtherWarehousesAreNeverBlockedByARunThatEscalates() throws Exception {
        String from = Unique.name("wh-run-a");
        String to = Unique.name("wh-run-b");
        String clerks = Unique.name("wh-clerks");
        String tag = Unique.name("s");
        List<String> items =
                IntStream.range(0, 600).mapToObj(i -> tag + "-i" + i).toList();
        for (int r = 0; r < 2; r++) { // 3 of every item, in receipts within lock-service's request limit
            List<String> lines = items.subList(r * 300, (r + 1) * 300).stream()
                    .map(i -> line(i, from, 3))
                    .toList();
            Api.create(Api.doc("RECEIPT", true, lines.toArray(String[]::new)))
                    .then()
                    .statusCode(201);
        }
        List<String> clerkItems =
                IntStream.range(0, 4).mapToObj(i -> tag + "-c" + i).toList();
        for (String item : clerkItems) {
            Api.receipt(item, clerks, 100_000);
        }
        // three draft transfers of 600 lines: 1200 Stock rows each, over the threshold of 1000
        Set<String> runLabels = ConcurrentHashMap.newKeySet();
        for (int d = 0; d < 3; d++) {
            String number = tag + "-run-" + d;
            runLabels.add("TRANSFER " + number);
            List<String> lines =
                    items.stream().map(i -> transferLine(i, from, to, 1)).toList();
            given().contentType(ContentType.JSON)
                    .body(numbered(Api.doc("TRANSFER", false, lines.toArray(String[]::new)), number))
                    .post("/v1/documents")
                    .then()
                    .statusCode(201);
        }

        Instant since = Instant.now();
        Set<String> clerkLabels = ConcurrentHashMap.newKeySet();
        AtomicBoolean runDone = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> clerksPosted = new ArrayList<>();
        try {
            for (int c = 0; c < 2; c++) {
                String item = clerkItems.get(c);
                String clerk = tag + "-clerk" + c;
                clerksPosted.add(pool.submit(() -> {
                    int posted = 0;
                    while (!runDone.get()) {
                        String number = clerk + "-" + posted;
                        clerkLabels.add("SHIPMENT " + number);
                        given().contentType(ContentType.JSON)
                                .body(numbered(Api.doc("SHIPMENT", true, line(item, clerks, 1)), number))
                                .post("/v1/documents")
                                .then()
                                .statusCode(201);
                        posted++;
                    }
                    return posted;
                }));
            }
            String run = given().contentType(ContentType.JSON)
                    .body("{\"parallelism\":2,\"batchSize\":500}")
                    .post("/v1/posting-runs")
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            await().atMost(Duration.ofSeconds(120))
                    .untilAsserted(
                            () -> given().get("/v1/posting-runs/" + run).then().body("status", equalTo("DONE")));
            runDone.set(true);
            for (Future<Integer> f : clerksPosted) {
                assertTrue(f.get() > 0, "a clerk posted nothing while the run went");
            }
            given().get("/v1/posting-runs/" + run).then().body("escalations", greaterThanOrEqualTo(3));
        } finally {
            runDone.set(true);
            pool.shutdownNow();
        }

        JsonNode incidents = incidents(since);
        List<JsonNode> escalations = new ArrayList<>();
        List<String> blockedClerks = new ArrayList<>();
        for (JsonNode i : incidents) {
            String kind = i.path("kind").asText();
            String label = i.path("label").asText();
            if (kind.equals("ESCALATION") && runLabels.contains(label)) {
                escalations.add(i);
            }
            if ((kind.equals("WAIT") || kind.equals("TIMEOUT")) && clerkLabels.contains(label)) {
                for (JsonNode b : i.path("blockedBy")) {
                    if (runLabels.contains(b.path("label").asText())
                            || b.path("label").asText().startsWith("posting batch of")) {
                        blockedClerks.add(
                                label + " waited " + i.path("waitedMs").asLong() + " ms for "
                                        + b.path("label").asText());
                    }
                }
            }
        }
        assertEquals(List.of(), blockedClerks, "clerks blocked by the run");
        assertEquals(3, escalations.size(), "each transfer escalated once: " + escalations);
        for (JsonNode e : escalations) {
            JsonNode cover = e.path("escalated").get(0).path("fields");
            assertTrue(cover.has("warehouse"), "the cover keeps the warehouses: " + e);
            assertFalse(cover.has("item"), "the cover drops the 600 items: " + e);
        }
    }

    private static String numbered(String doc, String number) {
        return doc.replaceFirst("\\{", "{\"number\":\"" + number + "\",");
    }

    /** lock-service's incidents log in the Stock space since {@code since}. */
    private static JsonNode incidents(Instant since) throws Exception {
        String url = PostingTestResources.lockService().url() + "/v1/lock-incidents?limit=10000&space="
                + URLEncoder.encode(STOCK, StandardCharsets.UTF_8) + "&from=" + since;
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", Tokens.bearer())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Http.JSON.readTree(r.body()).path("incidents");
    }
}
