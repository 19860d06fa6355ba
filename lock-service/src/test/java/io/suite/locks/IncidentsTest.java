package io.suite.locks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.suite.testing.Kafka;
import io.suite.testing.Management;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock incidents log (DESIGN "Lock incidents") on the real Redis and Kafka: every kind is kept,
 * answered by GET /v1/lock-incidents and published on the topic. Test settings: lock.log-waits-over=200ms.
 */
@QuarkusTest
class IncidentsTest {
    @Inject
    LockStore store;

    @Inject
    LockMetrics metrics;

    @ConfigProperty(name = "lock.incidents-topic")
    String topic;

    private final Api api = Api.local();

    private static List<Map<String, Object>> incidents(String space, String kind) {
        var req = given().queryParam("space", space)
                .queryParam("from", Instant.now().minusSeconds(600).toString());
        if (kind != null) {
            req = req.queryParam("kind", kind);
        }
        return req.get("/v1/lock-incidents")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("incidents");
    }

    private static Map<String, Object> one(String space, String kind) {
        List<Map<String, Object>> found =
                await().atMost(Duration.ofSeconds(30)).until(() -> incidents(space, kind), l -> !l.isEmpty());
        return found.get(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyKindIsKeptAnsweredAndPublished() throws Exception {
        String space = Unique.name("Incidents");
        // each incident names who began its transactions (the principal), next to their own owner and label
        Api asLocker = api.as("locker");
        Api asLocker2 = api.as("locker2");
        // its lease runs out meanwhile (3 s: on a loaded machine 1 s ran out before its own lock call)
        Api.Tx lapsing = asLocker2.begin("lapsing", "Transfer T-3", 3000);
        asLocker2
                .lockItem(lapsing, 0, Api.item(space, "SHARED", "{\"w\":\"W9\"}"))
                .then()
                .statusCode(200);
        Api.Tx holder = asLocker.begin("holder", "Posting run", 60000);
        asLocker.lockItem(holder, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(200);

        // a clerk waits for the holder the whole time another request times out
        Api.Tx clerk = api.begin("clerk", "Shipment S-1", 60000);
        CompletableFuture<Response> clerkWaits = api.lockAsync(
                clerk,
                "{\"timeoutMs\":60000,\"items\":[" + Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\",\"i\":\"A\"}") + "]}");
        await().until(() ->
                api.locks(space).path("waits.transaction").toString().contains(clerk.id()));
        Api.Tx impatient = asLocker2.begin("impatient", "Receipt R-2", 60000);
        asLocker2
                .lockItem(impatient, 500, Api.item(space, "SHARED", "{\"w\":\"W1\"}"))
                .then()
                .statusCode(423)
                .body("blockedBy[0].principal", equalTo("locker"));
        asLocker.end(holder).then().statusCode(204);
        clerkWaits.get(30, TimeUnit.SECONDS).then().statusCode(200);

        Map<String, Object> timeout = one(space, "TIMEOUT");
        assertEquals(impatient.id(), timeout.get("transaction"));
        assertEquals("locker2", timeout.get("principal"));
        assertEquals("Receipt R-2", timeout.get("label"));
        assertEquals(Map.of("w", "W1"), timeout.get("fields"));
        Map<String, Object> timeoutBlocker = ((List<Map<String, Object>>) timeout.get("blockedBy")).get(0);
        assertEquals(holder.id(), timeoutBlocker.get("transaction"));
        assertEquals("locker", timeoutBlocker.get("principal"));
        assertEquals("holder", timeoutBlocker.get("owner"));

        // both waits lasted longer than lock.log-waits-over: WAIT incidents naming whom they waited for
        List<Map<String, Object>> waits =
                await().atMost(Duration.ofSeconds(30)).until(() -> incidents(space, "WAIT"), l -> l.size() >= 2);
        Map<String, Object> clerkWait = waits.stream()
                .filter(w -> clerk.id().equals(w.get("transaction")))
                .findFirst()
                .orElseThrow();
        assertEquals(Tokens.DEFAULT_USER, clerkWait.get("principal"));
        assertEquals(
                List.of(Map.of(
                        "transaction", holder.id(), "principal", "locker", "owner", "holder", "label", "Posting run")),
                clerkWait.get("blockedBy"));
        assertTrue(((Number) clerkWait.get("waitedMs")).longValue() > 200);

        // a deadlock: first waits for second, second closes the cycle
        Api.Tx first = api.begin("first");
        Api.Tx second = api.begin("second");
        api.lockItem(first, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"X\"}"))
                .then()
                .statusCode(200);
        api.lockItem(second, 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"Y\"}"))
                .then()
                .statusCode(200);
        CompletableFuture<Response> firstWaits = api.lockAsync(
                first, "{\"timeoutMs\":60000,\"items\":[" + Api.item(space, "EXCLUSIVE", "{\"w\":\"Y\"}") + "]}");
        await().until(() ->
                api.locks(space).path("waits.transaction").toString().contains(first.id()));
        api.lockItem(second, 60000, Api.item(space, "EXCLUSIVE", "{\"w\":\"X\"}"))
                .then()
                .statusCode(409);
        firstWaits.get(30, TimeUnit.SECONDS).then().statusCode(200);
        Map<String, Object> deadlock = one(space, "DEADLOCK");
        assertEquals(second.id(), deadlock.get("transaction"));
        assertEquals(Tokens.DEFAULT_USER, deadlock.get("principal"));
        assertTrue(((List<?>) deadlock.get("cycle")).contains(first.id()));

        // an escalation: what the request became
        Api.Tx bulk = api.begin("bulk");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i <= 20; i++) {
            rows.append(i == 0 ? "" : ",")
                    .append("{\"w\":\"W7\",\"i\":\"I")
                    .append(i)
                    .append("\"}");
        }
        api.lock(
                        bulk,
                        "{\"timeoutMs\":0,\"items\":[{\"space\":\"" + space + "\",\"mode\":\"EXCLUSIVE\",\"rows\":["
                                + rows + "]}]}")
                .then()
                .statusCode(200);
        Map<String, Object> escalation = one(space, "ESCALATION");
        assertEquals(List.of(Map.of("space", space, "fields", Map.of("w", "W7"))), escalation.get("escalated"));
        assertEquals(Tokens.DEFAULT_USER, escalation.get("principal"));

        // the lease that ran out
        Map<String, Object> expiry = one(space, "EXPIRY");
        assertEquals(lapsing.id(), expiry.get("transaction"));
        assertEquals("locker2", expiry.get("principal"));
        assertEquals("Transfer T-3", expiry.get("label"));

        // all of the space's incidents, oldest first
        List<Map<String, Object>> all = incidents(space, null);
        List<String> at = all.stream().map(i -> (String) i.get("at")).toList();
        assertEquals(at.stream().sorted().toList(), at);
        given().queryParam("space", space)
                .queryParam("limit", 2)
                .get("/v1/lock-incidents")
                .then()
                .statusCode(200)
                .body("incidents.size()", equalTo(2))
                .body("incidents[0].at", equalTo(at.get(0)));
        given().get(Management.metrics())
                .then()
                .body(containsString("locks_incidents_total{kind=\"TIMEOUT\",space=\"" + space + "\"} 1.0"));

        // ... and on Kafka, keyed by space, at least once
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Set<String> kinds = Kafka.readAll(topic).stream()
                    .filter(r -> space.equals(r.key()))
                    .map(ConsumerRecord::value)
                    .map(v -> JsonPath.from(v).getString("kind"))
                    .collect(Collectors.toSet());
            return kinds.containsAll(Set.of("WAIT", "TIMEOUT", "DEADLOCK", "ESCALATION"));
        });
        for (Api.Tx tx : List.of(clerk, impatient, first, bulk)) {
            api.end(tx);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "from=yesterday",
                "to=2026-13-01T00:00:00Z",
                "kind=SLOW",
                "kind=wait",
                "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z",
                "limit=0",
                "limit=10001",
                "limit=ten"
            })
    void badQueriesAre400(String query) {
        given().get("/v1/lock-incidents?" + query)
                .then()
                .statusCode(400)
                .contentType(containsString("application/problem+json"));
    }

    /** The stream keeps lock.incidents-retention: each append drops what is older. */
    @Test
    void incidentsOlderThanTheRetentionAreDropped() {
        String prefix = Unique.name("retention") + ":";
        LockScript script = new LockScript(
                store, metrics, prefix, () -> new LockScript.Header("", "", System.currentTimeMillis() + 60_000));
        String old = script.incident("WAIT", "S", "{}", "", 3_600_000).await().indefinitely();
        String kept = script.incident("WAIT", "S", "{}", "", 3_600_000).await().indefinitely();
        assertEquals(
                2,
                store.command("XLEN", script.incidentsKey())
                        .await()
                        .indefinitely()
                        .toLong());
        // an append with a retention shorter than the age of the first two drops them, and keeps itself
        await().until(() -> {
            script.incident("TIMEOUT", "S", "{}", "", 0).await().indefinitely();
            var left = store.command("XRANGE", script.incidentsKey(), "-", "+")
                    .await()
                    .indefinitely();
            return left.size() >= 1 && !contains(left, old) && !contains(left, kept);
        });
        store.command("DEL", script.incidentsKey()).await().indefinitely();
    }

    private static boolean contains(io.vertx.mutiny.redis.client.Response entries, String id) {
        for (var e : entries) {
            if (e.get(0).toString().equals(id)) {
                return true;
            }
        }
        return false;
    }
}
