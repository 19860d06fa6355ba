package io.suite.posting;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;

import io.restassured.path.json.JsonPath;
import io.suite.testing.Unique;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scenarios that must hold in every lock mode. */
public final class Scenarios {
    private Scenarios() {}

    /** 40 concurrent shipments of 3 against a stock of 100: 33 succeed, 7 get 422, 1 left, registers consistent. */
    public static void balanceControlHoldsUnderConcurrency(int port) {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        Api.receipt(item, wh, 100);
        List<HttpResponse<String>> answers =
                Api.concurrently(port, Collections.nCopies(40, Api.doc("SHIPMENT", true, Api.line(item, wh, 3))));
        long created = answers.stream().filter(r -> r.statusCode() == 201).count();
        List<HttpResponse<String>> refused =
                answers.stream().filter(r -> r.statusCode() == 422).toList();
        assertEquals(
                33,
                created,
                () -> answers.stream()
                        .map(r -> r.statusCode() + " " + r.body())
                        .toList()
                        .toString());
        assertEquals(7, refused.size());
        for (HttpResponse<String> r : refused) {
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
            JsonPath p = Api.json(r);
            assertEquals("https://suite.dev/problems/insufficient-stock", p.getString("type"));
            assertEquals(item, p.getString("shortages[0].item"));
            assertEquals(wh, p.getString("shortages[0].warehouse"));
            assertEquals(0, new BigDecimal(p.getString("shortages[0].requested")).compareTo(new BigDecimal(3)));
            assertEquals(0, new BigDecimal(p.getString("shortages[0].available")).compareTo(BigDecimal.ONE));
        }
        assertEquals(0, Api.balance(item, wh).compareTo(BigDecimal.ONE));
        Api.assertConsistent();
    }
}
