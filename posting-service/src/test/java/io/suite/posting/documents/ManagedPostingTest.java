package io.suite.posting.documents;

import java.math.BigDecimal;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.hamcrest.MatcherAssert;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.suite.posting.Api;
import io.suite.posting.Db;
import io.suite.posting.PostingTestResources;
import io.suite.posting.Scenarios;
import io.suite.posting.Writes;
import io.suite.posting.locking.LockServiceClient;
import io.suite.posting.locking.ManagedLocks;
import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.model.DocumentType;
import io.suite.posting.registers.StockKey;
import io.suite.posting.registers.StockRegister;
import io.suite.testing.Management;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;
import io.suite.writeguard.ReadOnlyException;
import io.suite.writeguard.WriteGuard;

import static io.restassured.RestAssured.given;
import static io.suite.posting.Api.balance;
import static io.suite.posting.Api.create;
import static io.suite.posting.Api.doc;
import static io.suite.posting.Api.line;
import static io.suite.posting.Api.receipt;
import static io.suite.posting.Api.transferLine;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The posting API in MANAGED mode (the default) against real PostgreSQL, Kafka and lock-service. */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagedPostingTest {

    @TestHTTPResource("/")
    URL url;

    @Inject
    @RestClient
    LockServiceClient locks;

    @Inject
    GroupedPosting grouped;

    @Inject
    PostingEngine engine;

    @Inject
    MeterRegistry registry;

    @Test
    void balanceControlHoldsUnder40ConcurrentShipments() {
        Scenarios.balanceControlHoldsUnderConcurrency(url.getPort());
    }

    @Test
    void shipmentWritesStockAndSalesAndTransferMovesStock() {
        String item = Unique.name("item");
        String w1 = Unique.name("wh");
        String w2 = Unique.name("wh");
        receipt(item, w1, 10);
        create("{\"type\":\"SHIPMENT\",\"date\":\"2026-11-20\",\"lines\":[{\"item\":\"" + item + "\",\"warehouse\":\""
                        + w1 + "\",\"quantity\":2.5,\"amount\":30.25}]}")
                .then()
                .statusCode(201)
                .body("status", equalTo("POSTED"));
        create(doc("TRANSFER", true, transferLine(item, w1, w2, 4))).then().statusCode(201);
        assertEquals(0, balance(item, w1).compareTo(new BigDecimal("3.5")));
        assertEquals(0, balance(item, w2).compareTo(new BigDecimal("4")));
        // a transfer needs stock at its source
        create(doc("TRANSFER", true, transferLine(item, w2, w1, 5)))
                .then()
                .statusCode(422)
                .body("shortages[0].warehouse", equalTo(w2));
        given().queryParam("item", item)
                .queryParam("from", "2026-11-01")
                .queryParam("to", "2026-11-30")
                .get("/v1/sales")
                .then()
                .statusCode(200)
                .body("turnovers", hasSize(1))
                .body("turnovers[0].quantity", equalTo(2.5f))
                .body("turnovers[0].amount", equalTo(30.25f));
        given().queryParam("item", item)
                .queryParam("from", "2026-11-21")
                .get("/v1/sales")
                .then()
                .body("turnovers", hasSize(0));
        given().queryParam("from", "yesterday").get("/v1/sales").then().statusCode(400);
        Api.assertConsistent();
    }

    @Test
    void salesTotalsSplitUnderConcurrentWritersAndCollapse() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        receipt(item, wh, 100);
        Api.concurrently(
                        url.getPort(),
                        Collections.nCopies(
                                16,
                                doc(
                                        "SHIPMENT",
                                        true,
                                        "{\"item\":\"" + item + "\",\"warehouse\":\"" + wh
                                                + "\",\"quantity\":1,\"amount\":2}")))
                .forEach(r -> assertEquals(201, r.statusCode(), r.body()));
        given().queryParam("item", item)
                .get("/v1/sales")
                .then()
                .body("turnovers[0].quantity", equalTo(16.0f))
                .body("turnovers[0].amount", equalTo(32.0f));
        given().post("/v1/registers/sales/collapse").then().statusCode(200).body("collapsedRows", notNullValue());
        given().queryParam("item", item)
                .get("/v1/sales")
                .then()
                .body("turnovers", hasSize(1))
                .body("turnovers[0].quantity", equalTo(16.0f));
        Api.assertConsistent();
    }

    @Test
    void unpostIsRefusedWhenItWouldMakeStockNegativeAndRepostKeepsBalances() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String receipt = receipt(item, wh, 5);
        create(doc("SHIPMENT", true, line(item, wh, 3))).then().statusCode(201);
        given().post("/v1/documents/" + receipt + "/unpost")
                .then()
                .statusCode(422)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://suite.dev/problems/insufficient-stock"))
                .body("shortages[0].requested", equalTo(5.0f))
                .body("shortages[0].available", equalTo(2.0f));
        given().get("/v1/documents/" + receipt).then().body("status", equalTo("POSTED"));
        given().post("/v1/documents/" + receipt + "/post")
                .then()
                .statusCode(200)
                .body("status", equalTo("POSTED"));
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(2)));

        String more = receipt(item, wh, 1);
        given().post("/v1/documents/" + more + "/unpost").then().statusCode(200).body("status", equalTo("DRAFT"));
        given().post("/v1/documents/" + more + "/unpost").then().statusCode(409);
        assertTrue(Api.listed(DocumentStatus.DRAFT, more));
        given().post("/v1/documents/" + more + "/post").then().statusCode(200).body("status", equalTo("POSTED"));
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(3)));
        given().get("/v1/documents/" + UUID.randomUUID()).then().statusCode(404);
        given().get("/v1/documents/not-a-uuid").then().statusCode(404);
        Api.assertConsistent();
    }

    @Test
    void documentsAreListedAPageAtATimeInDateNumberOrder() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String number = Unique.name("N");
        // a day of this run's own, far ahead, so no other test's document sorts between these
        String day = LocalDate.of(2900, 1, 1)
                .plusDays(ThreadLocalRandom.current().nextInt(36_000))
                .toString();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ids.add(create("{\"type\":\"RECEIPT\",\"post\":false,\"date\":\"" + day + "\",\"number\":\"" + number + "-"
                            + i + "\",\"lines\":[" + line(item, wh, 1) + "]}")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id"));
        }
        Response page = given().queryParam("status", "DRAFT")
                .queryParam("limit", 2)
                .queryParam("after", ids.get(0))
                .get("/v1/documents");
        page.then().statusCode(200).body("id", contains(ids.get(1), ids.get(2)));
        String link = page.header("Link");
        MatcherAssert.assertThat(link, endsWith(">; rel=\"next\""));
        given().get(Api.next(link))
                .then()
                .statusCode(200)
                .body("id[0]", equalTo(ids.get(3)))
                .body("[0].lines[0].item", equalTo(item));
        // a page shorter than its limit is the last: no Link
        given().queryParam("status", "DRAFT")
                .queryParam("limit", 1000)
                .queryParam("after", ids.get(3))
                .get("/v1/documents")
                .then()
                .statusCode(200)
                .header("Link", nullValue());
    }

    @Test
    void idempotencyKeyGivesTheFirstAnswerAgainAndRefusesAnotherBody() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String key = Unique.name("key");
        String body = doc("RECEIPT", true, line(item, wh, 7));
        Response first = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body(body)
                .post("/v1/documents");
        first.then().statusCode(201);
        Response again = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body(body)
                .post("/v1/documents");
        again.then().statusCode(201).body("id", equalTo(first.jsonPath().getString("id")));
        assertEquals(first.jsonPath().getMap("$"), again.jsonPath().getMap("$"));
        given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body(doc("RECEIPT", true, line(item, wh, 8)))
                .post("/v1/documents")
                .then()
                .statusCode(409)
                .contentType(containsString("application/problem+json"));
        // another clerk with the same key and body is refused: the first clerk's document is not its answer
        given().contentType(ContentType.JSON)
                .header("Authorization", Tokens.bearer("clerk"))
                .header("Idempotency-Key", key)
                .body(body)
                .post("/v1/documents")
                .then()
                .statusCode(409)
                .contentType(containsString("application/problem+json"));
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(7)));

        // concurrent requests with one key: one document, every answer the same
        String key2 = Unique.name("key");
        List<CompletableFuture<Response>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                    .header("Idempotency-Key", key2)
                    .body(doc("RECEIPT", true, line(item, wh, 1)))
                    .post("/v1/documents")));
        }
        List<String> ids = all.stream()
                .map(CompletableFuture::join)
                .filter(r -> r.statusCode() == 201)
                .map(r -> r.jsonPath().getString("id"))
                .distinct()
                .toList();
        assertEquals(1, ids.size());
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(8)));
    }

    @Test
    void invalidDocumentsAre400ProblemsAndWriteNothing() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        List<String> bad = List.of(
                doc("INVOICE", true, line(item, wh, 1)),
                doc("RECEIPT", true, line(item, wh, 0)),
                doc("RECEIPT", true, line(item, wh, -2)),
                doc("RECEIPT", true, line(item, wh, "1.0005")),
                doc("RECEIPT", true, transferLine(item, wh, "X", 1)),
                doc("TRANSFER", true, line(item, wh, 1)),
                doc("TRANSFER", true, transferLine(item, wh, wh, 1)),
                doc("RECEIPT", true),
                "{\"type\":\"RECEIPT\",\"date\":\"2026-13-01\",\"lines\":[" + line(item, wh, 1) + "]}",
                "{\"type\":\"RECEIPT\",\"number\":\"" + "N".repeat(41) + "\",\"lines\":[" + line(item, wh, 1) + "]}",
                "{\"type\":\"RECEIPT\",\"lines\":[{\"item\":\"" + item + "\",\"warehouse\":\"" + wh
                        + "\",\"quantity\":\"many\"}]}",
                "{\"type\":\"RECEIPT\",\"lines\":[" + String.join(",", Collections.nCopies(1001, line(item, wh, 1)))
                        + "]}",
                "not json");
        for (String body : bad) {
            create(body).then().statusCode(400).contentType(containsString("application/problem+json"));
        }
        assertEquals(0, balance(item, wh).compareTo(BigDecimal.ZERO));
        given().queryParam("item", item).get("/v1/balances").then().body("balances", hasSize(0));
    }

    @Test
    void postingRunPostsDraftsPerWarehouseInOrderAndReportsFailures() throws Throwable {
        String item = Unique.name("item");
        String w1 = Unique.name("wh");
        String w2 = Unique.name("wh");
        // W1: receipt 5, shipment 3, shipment 3 (one too many); W2 gets 2 by a transfer from W1 and ships 2
        create("{\"type\":\"RECEIPT\",\"post\":false,\"number\":\"A1\",\"date\":\"2026-01-01\",\"lines\":["
                        + line(item, w1, 6) + "]}")
                .then()
                .statusCode(201)
                .body("status", equalTo("DRAFT"));
        create("{\"type\":\"SHIPMENT\",\"post\":false,\"number\":\"A2\",\"date\":\"2026-01-02\",\"lines\":["
                + line(item, w1, 3) + "]}");
        create("{\"type\":\"TRANSFER\",\"post\":false,\"number\":\"A3\",\"date\":\"2026-01-03\",\"lines\":["
                + transferLine(item, w1, w2, 2) + "]}");
        String a4 = create("{\"type\":\"SHIPMENT\",\"post\":false,\"number\":\"A4\",\"date\":\"2026-01-04\",\"lines\":["
                        + line(item, w1, 3) + "]}")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        create("{\"type\":\"SHIPMENT\",\"post\":false,\"number\":\"A5\",\"date\":\"2026-01-05\",\"lines\":["
                + line(item, w2, 2) + "]}");
        String id = given().contentType(ContentType.JSON)
                .body("{\"parallelism\":4,\"batchSize\":2}")
                .post("/v1/posting-runs")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> given().get("/v1/posting-runs/" + id).then().body("status", equalTo("DONE")));
        // other tests' drafts may be in this run too: judge by this test's rows
        Response run = given().get("/v1/posting-runs/" + id);
        List<Map<String, Object>> failures = run.jsonPath().getList("failures");
        List<Object> mine = failures.stream()
                .filter(f -> a4.equals(f.get("documentId")))
                .map(f -> f.get("reason"))
                .toList();
        assertEquals(List.of("insufficient-stock"), mine, failures.toString());
        assertEquals(0, balance(item, w1).compareTo(BigDecimal.ONE));
        assertEquals(0, balance(item, w2).compareTo(BigDecimal.ZERO));
        // saved in PostgreSQL: any replica answers, also for a run another instance ran
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertEquals(
                        "DONE",
                        VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                                        .chain(s -> Db.rows(
                                                s,
                                                "SELECT status FROM posting_runs WHERE id = ?1",
                                                List.of(UUID.fromString(id)))))
                                .map(r -> r.isEmpty() ? null : r.get(0)[0]))));
        String elsewhere = UUID.randomUUID().toString();
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> Db.update(
                        s,
                        "INSERT INTO posting_runs (id, status, posted, failed, failures, started_at) VALUES (?1, 'RUNNING', 7, 1,"
                                + " '[{\"documentId\":\"d\",\"reason\":\"lock-timeout\"}]', now())",
                        List.of(UUID.fromString(elsewhere))))));
        given().get("/v1/posting-runs/" + elsewhere)
                .then()
                .statusCode(200)
                .body("status", equalTo("RUNNING"))
                .body("posted", equalTo(7))
                .body("failed", equalTo(1))
                .body("failures[0].reason", equalTo("lock-timeout"))
                .body("startedAt", notNullValue());
        given().contentType(ContentType.JSON)
                .body("{\"parallelism\":0,\"batchSize\":2}")
                .post("/v1/posting-runs")
                .then()
                .statusCode(400);
        given().get("/v1/posting-runs/nope").then().statusCode(404);
        given().get("/v1/posting-runs/" + UUID.randomUUID()).then().statusCode(404);
        Api.assertConsistent();
    }

    @Test
    void postedAndUnpostedDocumentsReachKafkaThroughTheOutboxRejectedOnesDoNot() {
        String topic = ConfigProvider.getConfig().getValue("posting.events-topic", String.class);
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String receipt = receipt(item, wh, 2);
        create(doc("SHIPMENT", true, line(item, wh, 3))).then().statusCode(422);
        given().post("/v1/documents/" + receipt + "/unpost").then().statusCode(200);
        Properties p = new Properties();
        p.put(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, Unique.name("posting-test"));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        List<String> keys = Collections.synchronizedList(new ArrayList<>());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value().contains(item) || r.key().equals(receipt)) {
                        events.add(r.value());
                    }
                    keys.add(r.key());
                }
                return events.size() >= 2;
            });
        }
        assertEquals(2, events.size(), events.toString());
        assertEquals(true, events.get(0).contains("\"event\":\"posted\""));
        assertEquals(true, events.get(1).contains("\"event\":\"unposted\""));
    }

    @Test
    void sentOutboxRowsAreDeletedAfterTheirRetentionUnsentOnesAreKept() throws Throwable {
        // test profile: retention 0 s, pruned every second
        String receipt = receipt(Unique.name("item"), Unique.name("wh"), 1);
        String unsent = Unique.name("never-sent");
        // a row claimed for a day: the relay leaves it unsent
        outboxSql(
                "INSERT INTO outbox (event_key, payload, claimed_until) VALUES (?1, '{}', now() + interval '1 day')",
                unsent);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Api.outboxRows(receipt, false) == 0);
            assertEquals(1L, Api.outboxRows(unsent, false));
        } finally {
            outboxSql("DELETE FROM outbox WHERE event_key = ?1", unsent);
        }
    }

    private static void outboxSql(String sql, String key) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() ->
                Panache.withTransaction(() -> Panache.getSession().chain(s -> Db.update(s, sql, List.of(key)))));
    }

    @Test
    void aHolderWhoseLeaseRanOutCannotWrite() throws Throwable {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        receipt(item, wh, 10);
        StockKey row = new StockKey(item, wh);
        LockServiceClient.Transaction stale = locks.begin(new LockServiceClient.Begin(
                        "test",
                        "stale holder",
                        1000,
                        5000,
                        List.of(new LockServiceClient.Item(
                                ManagedLocks.STOCK_SPACE,
                                "EXCLUSIVE",
                                List.of(Map.of("item", item, "warehouse", wh))))))
                .await()
                .atMost(Duration.ofSeconds(10));
        long staleToken = stale.fencingToken();
        // the lease runs out (the lock is freed) and another posting writes the row under a newer grant
        create(doc("SHIPMENT", true, line(item, wh, 1))).then().statusCode(201);
        String lockUrl = ConfigProvider.getConfig().getValue("quarkus.rest-client.lock-service.url", String.class);
        given().header("X-Lock-Token", stale.token())
                .get(lockUrl + "/v1/lock-transactions/" + stale.id())
                .then()
                .statusCode(404);
        HttpProblem refused = assertThrows(
                HttpProblem.class,
                () -> VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                        .chain(s ->
                                StockRegister.apply(s, Map.of(row, new BigDecimal("-9")), Set.of(row), staleToken)))));
        assertEquals(409, refused.getStatusCode());
        // the one-statement write under a lock leaves the fenced row alone, so the statement fails and writes nothing
        for (BigDecimal change : List.of(new BigDecimal("-9"), BigDecimal.ONE)) {
            Writes w = new Writes();
            StockRegister.addUnderLock(w, Map.of(row, change), staleToken);
            Throwable failed = assertThrows(
                    Throwable.class,
                    () -> VertxContextSupport.subscribeAndAwait(
                            () -> Panache.withSession(() -> Panache.getSession().chain(w::runAsOne))));
            assertTrue(StockRegister.leftAlone(failed), failed::toString);
        }
        StockRegister.Current current = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                () -> Panache.getSession().chain(s -> StockRegister.current(s, List.of(row), staleToken))));
        assertTrue(current.fenced());
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(9)));
        Api.assertConsistent();
    }

    /**
     * Postings that wait for the same row at once go as one group (one lock transaction, one statement),
     * and each still gets its own answer: here one of them is short and only it is refused.
     */
    @Test
    void postingsWaitingForTheSameRowGoAsOneGroupEachAnsweredOnItsOwn() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        receipt(item, wh, 10);
        // another client of lock-service holds the row: the first posting waits there, the others here
        LockServiceClient.Transaction holder = locks.begin(new LockServiceClient.Begin(
                        "test",
                        "holds the row",
                        30_000,
                        5000,
                        List.of(new LockServiceClient.Item(
                                ManagedLocks.STOCK_SPACE,
                                "EXCLUSIVE",
                                List.of(Map.of("item", item, "warehouse", wh))))))
                .await()
                .atMost(Duration.ofSeconds(10));
        DistributionSummary groups = registry.get("posting.group.documents").summary();
        long groupsBefore = groups.count();
        double documentsBefore = groups.totalAmount();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bodies.add(doc("SHIPMENT", true, line(item, wh, 1)));
        }
        bodies.add(doc("SHIPMENT", true, line(item, wh, 20)));
        CompletableFuture<List<HttpResponse<String>>> answers =
                CompletableFuture.supplyAsync(() -> Api.concurrently(url.getPort(), bodies));
        await().atMost(Duration.ofSeconds(20)).until(() -> grouped.waitingForGroups() == bodies.size() - 1);
        locks.end(holder.id(), holder.token()).await().atMost(Duration.ofSeconds(10));
        List<HttpResponse<String>> all = answers.join();
        assertEquals(5, all.stream().filter(r -> r.statusCode() == 201).count());
        HttpResponse<String> refused =
                all.stream().filter(r -> r.statusCode() == 422).findFirst().orElseThrow();
        assertEquals(20.0f, Api.json(refused).getFloat("shortages[0].requested"));
        // the first went alone (it was waiting in lock-service), the other five as one group
        assertEquals(2, groups.count() - groupsBefore);
        assertEquals(6.0, groups.totalAmount() - documentsBefore);
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(5)));
        Api.assertConsistent();
    }

    /**
     * The FOR_UPDATE_GROUPED benchmark peer's statement (no managed lock, no token): 40 shipments at once on
     * two rows of 100 (as several replicas would send them), each taking 3 of both. Its own row locks keep
     * balance control: 33 written, 7 refused whole on the row left alone, none deadlocked, both rows at 1. It
     * writes rows a managed grant wrote before (their fencing token is left as it is) and is never fenced.
     */
    @Test
    void rowLockedStatementsKeepBalanceControlWithoutManagedLocks() throws Throwable {
        String wh = Unique.name("wh");
        StockKey a = new StockKey(Unique.name("item"), wh);
        StockKey b = new StockKey(Unique.name("item"), wh);
        receipt(a.item(), wh, 100);
        receipt(b.item(), wh, 100);
        List<CompletableFuture<Throwable>> writers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            for (int i = 0; i < 40; i++) {
                DocumentData shipment = new DocumentData(
                        UUID.randomUUID(),
                        DocumentType.SHIPMENT,
                        Unique.name("row-locked"),
                        LocalDate.parse(Api.DAY),
                        DocumentStatus.DRAFT,
                        List.of(
                                new DocumentData.Line(1, a.item(), wh, null, new BigDecimal(3), BigDecimal.ONE),
                                new DocumentData.Line(2, b.item(), wh, null, new BigDecimal(3), BigDecimal.ONE)),
                        "tester");
                PostingPlan d = PostingPlan.decide(
                        List.of(new PostingJob(shipment, true, PostingJob.Op.POST, false)), Map.of(), null);
                Writes w = d.writes(32);
                StockRegister.addUnderLock(w, d.stockChange(), null);
                writers.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                                        () -> Panache.getSession().chain(w::runAsOne)));
                                return null;
                            } catch (Throwable e) {
                                return e;
                            }
                        },
                        pool));
            }
            List<Throwable> failures = writers.stream()
                    .map(CompletableFuture::join)
                    .filter(e -> e != null)
                    .toList();
            failures.forEach(e -> assertTrue(StockRegister.leftAlone(e), e::toString));
            assertEquals(7, failures.size());
        } finally {
            pool.shutdown();
        }
        assertEquals(0, balance(a.item(), wh).compareTo(BigDecimal.ONE));
        assertEquals(0, balance(b.item(), wh).compareTo(BigDecimal.ONE));
        StockRegister.Current current = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() ->
                Panache.getSession().chain(s -> StockRegister.current(s, List.of(a, b), null))));
        assertTrue(!current.fenced());
        Api.assertConsistent();
    }

    /** Under the lock, balances are checked and written in one statement; a shortage still gets the exact answer. */
    @Test
    void oneStatementWritesStillAnswerShortagesExactly() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String fresh = Unique.name("wh");
        receipt(item, wh, 4);
        // a row that is not there yet: nothing available
        create(doc("SHIPMENT", true, line(item, fresh, 1)))
                .then()
                .statusCode(422)
                .body("shortages[0].warehouse", equalTo(fresh))
                .body("shortages[0].available", equalTo(0));
        // an existing row going negative: refused with what it has, nothing written
        create(doc("SHIPMENT", true, line(item, wh, 5)))
                .then()
                .statusCode(422)
                .body("shortages[0].requested", equalTo(5.0f))
                .body("shortages[0].available", equalTo(4.0f));
        // one row enough and one short, in one document: only the short one reported, neither written
        String other = Unique.name("item");
        receipt(other, wh, 2);
        create(doc("SHIPMENT", true, line(item, wh, 1), line(other, wh, 3)))
                .then()
                .statusCode(422)
                .body("shortages.size()", equalTo(1))
                .body("shortages[0].item", equalTo(other))
                .body("shortages[0].requested", equalTo(3.0f))
                .body("shortages[0].available", equalTo(2.0f));
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(4)));
        assertEquals(0, balance(other, wh).compareTo(new BigDecimal(2)));
        // an increase on a new row and a decrease on an existing one, in one document
        create(doc("TRANSFER", true, transferLine(item, wh, fresh, 3))).then().statusCode(201);
        assertEquals(0, balance(item, wh).compareTo(BigDecimal.ONE));
        assertEquals(0, balance(item, fresh).compareTo(new BigDecimal(3)));
        Api.assertConsistent();
    }

    @Test
    void publishesTheAgreedMetrics() {
        String metrics = given().get(Management.metrics())
                .then()
                .statusCode(200)
                .extract()
                .asString();
        for (String name : List.of(
                "posting_documents_total{outcome=\"posted\",type=\"SHIPMENT\"}",
                "posting_latency_seconds_bucket",
                "posting_balance_rejections_total",
                "posting_lock_wait_seconds_bucket",
                "posting_retries_total",
                "posting_lock_held_seconds_count{phase=\"writing\"}",
                "posting_lock_held_seconds_count{phase=\"releasing\"}",
                "posting_outbox_send_failures_total",
                "sql_pool_queue_delay_seconds_count",
                "sql_pool_usage_seconds_count",
                "posting_group_documents_count",
                "posting_group_wait_seconds_bucket",
                "posting_group_waiting")) {
            MatcherAssert.assertThat(metrics, containsString(name));
        }
    }

    @Inject
    WriteGuard guard;

    private static void publishState(String json) throws Exception {
        Properties p = new Properties();
        p.put(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // this instance's own unique state topic (PostingTestResources), never the real maintenance-state
        String topic = ConfigProvider.getConfig().getValue("write-guard.state-topic", String.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, "state", json)).get();
        }
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    void readOnlyRefusesWritesInHttpAndInTheDatabaseWhileReadsGoOn() throws Exception {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        receipt(item, wh, 4);
        publishState(
                "{\"mode\":\"READ_ONLY\",\"epoch\":1,\"reason\":\"posting test\",\"since\":\"2026-11-22T00:00:00Z\"}");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> guard.state().readOnly());
            create(doc("SHIPMENT", true, line(item, wh, 1)))
                    .then()
                    .statusCode(503)
                    .contentType(containsString("application/problem+json"))
                    .header("Retry-After", notNullValue())
                    .body("type", equalTo("https://suite.dev/problems/read-only"))
                    .body("reason", equalTo("posting test"))
                    .body("epoch", equalTo(1));
            given().contentType(ContentType.JSON)
                    .body("{}")
                    .post("/v1/posting-runs")
                    .then()
                    .statusCode(503);
            given().post("/v1/registers/sales/collapse").then().statusCode(503);
            assertEquals(0, balance(item, wh).compareTo(new BigDecimal(4)));
            Api.assertConsistent();
            // a write that slips past the guard (no permit) is refused by PostgreSQL: READ ONLY transaction
            DocumentData draft = DocumentRules.validate(
                    new DocumentRequest(
                            "RECEIPT",
                            null,
                            null,
                            false,
                            List.of(new DocumentRequest.LineRequest(item, wh, null, BigDecimal.ONE, null))),
                    10,
                    LocalDate.now());
            assertThrows(
                    ReadOnlyException.class,
                    () -> VertxContextSupport.subscribeAndAwait(() -> engine.run(
                            List.of(new PostingJob(draft, true, PostingJob.Op.DRAFT, false)), true, null, null)));
            given().get("/v1/documents/" + draft.id()).then().statusCode(404);
        } finally {
            publishState(
                    "{\"mode\":\"READ_WRITE\",\"epoch\":2,\"reason\":\"done\",\"since\":\"2026-11-22T00:00:01Z\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> !guard.refusesWrites());
        }
        create(doc("SHIPMENT", true, line(item, wh, 1))).then().statusCode(201);
    }

    /** Last: it stops this instance's lock-service for a while. */
    @Test
    @Order(Integer.MAX_VALUE)
    void whenTheLockServiceIsUnreachableNothingIsWritten() {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        receipt(item, wh, 4);
        PostingTestResources.lockService().kill();
        try {
            create(doc("SHIPMENT", true, line(item, wh, 1)))
                    .then()
                    .statusCode(503)
                    .contentType(containsString("application/problem+json"))
                    .body("type", equalTo("https://suite.dev/problems/lock-service-unavailable"));
            assertEquals(0, balance(item, wh).compareTo(new BigDecimal(4)));
            Api.assertConsistent();
        } finally {
            PostingTestResources.lockService().restart(); // test classes after this one share the instance
        }
    }
}
