package io.suite.locks;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.suite.testing.Management;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Narrow escalation (DESIGN "Escalation") against the real Redis; test settings: threshold 20, at most 8 values. */
@QuarkusTest
class EscalationTest {
    @Inject
    LockStore store;

    @Inject
    LockMetrics metrics;

    private final Api api = Api.local();

    static List<EscalationCases.Case> cases() {
        return EscalationCases.ALL;
    }

    private static String request(String space, List<String> items) {
        String inSpace = String.join(
                ",",
                items.stream()
                        .map(i -> "{\"space\":\"" + space + "\"," + i.substring(1))
                        .toList());
        return "{\"timeoutMs\":0,\"items\":[" + inSpace + "]}";
    }

    private static JsonNode json(Object o) {
        return ItemParser.JSON.valueToTree(o);
    }

    /** The table, decided by locks.lua: the answer's escalated, and what the transaction then holds. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void coverTable(EscalationCases.Case c) {
        String space = Unique.name("Esc");
        Api.Tx a = api.begin("a");
        if (!c.held().isEmpty()) {
            api.lock(a, request(space, c.held())).then().statusCode(200).body("escalated", hasSize(0));
        }
        Response r = api.lock(a, request(space, c.request()));
        r.then().statusCode(200).body("escalated", hasSize(1)).body("escalated[0].space", equalTo(space));
        JsonNode cover = ItemParser.parse(c.cover());
        assertEquals(cover, json(r.path("escalated[0].fields")), c.name());
        Response held = api.get(a);
        held.then().body("locks", hasSize(1)).body("locks[0].mode", equalTo(c.mode()));
        assertEquals(cover, json(held.path("locks[0].fields")), c.name() + ": held");
        api.end(a).then().statusCode(204);
    }

    @Test
    void rowsOfOneWarehouseLeaveTheOthersFree() {
        String space = Unique.name("Stock");
        Api.Tx run = api.begin("run");
        api.lock(run, request(space, EscalationCases.ALL.get(0).request()))
                .then()
                .statusCode(200)
                .body("escalated[0].fields", equalTo(Map.of("warehouse", "W1")));
        Api.Tx clerk = api.begin("clerk");
        String w2 = "[{\"warehouse\":\"W2\",\"item\":\"I1\"},{\"warehouse\":\"W2\",\"item\":\"I2\"}]";
        api.lock(
                        clerk,
                        "{\"timeoutMs\":0,\"items\":[{\"space\":\"" + space + "\",\"mode\":\"EXCLUSIVE\",\"rows\":" + w2
                                + "}]}")
                .then()
                .statusCode(200)
                .body("escalated", hasSize(0));
        api.lockItem(clerk, 0, Api.item(space, "EXCLUSIVE", "{\"warehouse\":\"W1\",\"item\":\"I999\"}"))
                .then()
                .statusCode(423)
                .body("blockedBy[0].transaction", equalTo(run.id()));
        api.lockItem(clerk, 0, Api.item(space, "SHARED", "{\"item\":\"I1\"}"))
                .then()
                .statusCode(423); // every warehouse: W1 too
        given().get(Management.metrics())
                .then()
                .body(containsString("locks_escalations_total{space=\"" + space + "\"} 1.0"));
        api.end(run);
        api.lockItem(clerk, 0, Api.item(space, "EXCLUSIVE", "{\"warehouse\":\"W1\",\"item\":\"I999\"}"))
                .then()
                .statusCode(200);
        api.end(clerk);
    }

    /** lock.escalation-cover=space sends max_values 0: the old whole-space escalation. */
    @Test
    void coverSpaceEscalatesToTheWholeSpace() {
        String prefix = Unique.name("esc") + ":";
        LockScript script = new LockScript(
                store,
                metrics,
                prefix,
                () -> new LockScript.Header(
                        String.valueOf(System.currentTimeMillis() + 60_000),
                        "1:W",
                        System.currentTimeMillis() + 60_000));
        String tx = UUID.randomUUID().toString();
        script.begin(tx, "d", "p", "o", "l", 60_000).await().indefinitely();
        ItemParser parser = new ItemParser(new TestLimits());
        List<LockItem> items = parser.lockRequest(
                        request("S", EscalationCases.ALL.get(0).request()))
                .items();
        LockScript.LockAnswer a = script.lock(
                        tx,
                        "d",
                        new LockScript.LockCall(UUID.randomUUID().toString(), false, false, 0, 20, 0, 2000, items))
                .await()
                .indefinitely();
        assertEquals(List.of(new LockScript.Escalation("S", "{}")), ((LockScript.Granted) a).escalated());
    }
}
