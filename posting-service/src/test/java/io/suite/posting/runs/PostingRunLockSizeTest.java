package io.suite.posting.runs;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.suite.posting.Api;
import io.suite.posting.PostingTestResources;
import io.suite.testing.Management;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static io.suite.posting.Api.balance;
import static io.suite.posting.Api.line;
import static io.suite.posting.Api.transferLine;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Posting runs size their lock requests by Stock rows: a run of many small documents in one warehouse never
 * makes lock-service escalate, one document that needs more rows than the threshold still posts (escalated,
 * and the run says so), and a batch lock-service refuses as too large is split, never reported as
 * lock-service-unavailable. The test lock-service takes at most {@link PostingTestResources#LOCK_MAX_ITEMS}
 * rows a request, fewer than its (and posting's) escalation threshold of 1000.
 */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
class PostingRunLockSizeTest {
    private static final String STOCK = "AccumulationRegister.Stock";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void aRunOfManySmallDocumentsInOneWarehouseNeverEscalatesAndOneHugeDocumentStillPosts() throws Exception {
        String wh = Unique.name("wh");
        String other = Unique.name("wh");
        String prefix = Unique.name("i");
        List<String> items =
                IntStream.range(0, 1200).mapToObj(i -> prefix + "-" + i).toList();
        // stock: 2 of every item, in receipts of 400 lines (each within lock-service's request limit)
        for (int r = 0; r < 3; r++) {
            List<String> lines = items.subList(r * 400, (r + 1) * 400).stream()
                    .map(i -> line(i, wh, 2))
                    .toList();
            Api.create(Api.doc("RECEIPT", true, lines.toArray(String[]::new)))
                    .then()
                    .statusCode(201);
        }
        // 400 three-line shipments in one warehouse: 1200 Stock rows, more than the escalation threshold
        List<String> shipments = IntStream.range(0, 400)
                .mapToObj(d -> Api.doc(
                        "SHIPMENT",
                        false,
                        line(items.get(3 * d), wh, 1),
                        line(items.get(3 * d + 1), wh, 1),
                        line(items.get(3 * d + 2), wh, 1)))
                .toList();
        for (int from = 0; from < shipments.size(); from += 50) {
            Api.concurrently(port, shipments.subList(from, from + 50))
                    .forEach(r -> assertEquals(201, r.statusCode(), r.body()));
        }
        double escalatedBefore = lockServiceEscalations();
        double splitsBefore = metric(get(Management.metrics()), "posting_run_batch_splits_total\\s");

        Response run = finished(start(4, 500));
        // posting's batch of 1000 rows (its threshold) was more than the test lock-service takes: split, all posted
        assertEquals(List.of(), failuresIn(run, shipments.size()));
        // the lock requests stayed within the threshold: lock-service escalated none of them, and the run says so
        assertEquals(escalatedBefore, lockServiceEscalations());
        run.then().body("escalations", equalTo(0)).body("escalated.size()", equalTo(0));
        assertTrue(metric(get(Management.metrics()), "posting_run_batch_splits_total\\s") > splitsBefore);
        assertEquals(0, balance(items.get(0), wh).compareTo(BigDecimal.ONE));
        assertEquals(0, balance(items.get(1199), wh).compareTo(BigDecimal.ONE));

        // one transfer of 600 lines: 1200 Stock rows of its own, more than one lock request takes and more
        // than the threshold: asked for in parts, escalated by lock-service, posted, and the run says so
        List<String> lines = items.subList(0, 600).stream()
                .map(i -> transferLine(i, wh, other, 1))
                .toList();
        String transfer = Api.create(Api.doc("TRANSFER", false, lines.toArray(String[]::new)))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Response huge = finished(start(2, 500));
        huge.then().body("escalations", equalTo(1)).body("escalated[0].space", equalTo(STOCK));
        given().get("/v1/documents/" + transfer).then().body("status", equalTo("POSTED"));
        assertEquals(0, balance(items.get(0), wh).compareTo(BigDecimal.ZERO));
        assertEquals(0, balance(items.get(599), other).compareTo(BigDecimal.ONE));
        assertTrue(lockServiceEscalations() > escalatedBefore);
        assertTrue(metric(
                        get(Management.metrics()),
                        "posting_lock_escalations_total\\{space=\"" + Pattern.quote(STOCK) + "\"}")
                >= 1);
        Api.assertConsistent();
    }

    private static String start(int parallelism, int batchSize) {
        return given().contentType(ContentType.JSON)
                .body("{\"parallelism\":" + parallelism + ",\"batchSize\":" + batchSize + "}")
                .post("/v1/posting-runs")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private static Response finished(String id) {
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(
                        () -> given().get("/v1/posting-runs/" + id).then().body("status", equalTo("DONE")));
        return given().get("/v1/posting-runs/" + id);
    }

    /** The run's failures other than insufficient stock (other tests' leftover drafts may be in the run). */
    private static List<Map<String, Object>> failuresIn(Response run, int expectedPosted) {
        List<Map<String, Object>> failures = run.jsonPath().getList("failures");
        List<Map<String, Object>> others = new ArrayList<>(failures.stream()
                .filter(f -> !"insufficient-stock".equals(f.get("reason")))
                .toList());
        assertEquals(List.of(), others.subList(0, Math.min(3, others.size())), others.size() + " other failures");
        assertTrue(run.jsonPath().getInt("posted") >= expectedPosted, run.asString());
        return others;
    }

    /** lock-service's escalations in the Stock space so far ({@code locks_escalations_total}). */
    private static double lockServiceEscalations() throws Exception {
        return metric(
                get(PostingTestResources.lockService().managementUrl() + "/q/metrics"),
                "locks_escalations_total\\{space=\"" + Pattern.quote(STOCK) + "\"}");
    }

    private static double metric(String scrape, String nameAndTags) {
        Matcher m =
                Pattern.compile("(?m)^" + nameAndTags + "\\s*([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
