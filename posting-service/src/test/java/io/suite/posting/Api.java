package io.suite.posting;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.hamcrest.Matchers;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.suite.posting.model.DocumentStatus;
import io.suite.testing.Tokens;

import static io.restassured.RestAssured.given;

/** Small client helpers for the posting API in tests. */
public final class Api {
    /** The date of every document {@link #doc} makes. */
    public static final String DAY = "2026-11-22";

    private Api() {}

    /** Outbox rows of an event key (a document id), all of them or only the unsent ones, read in the database. */
    public static long outboxRows(String key, boolean onlyUnsent) throws Exception {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                    .chain(s -> Db.rows(
                            s,
                            "SELECT count(*) FROM outbox WHERE event_key = ?1"
                                    + (onlyUnsent ? " AND sent_at IS NULL" : ""),
                            List.of(key)))
                    .map(rows -> ((Number) rows.get(0)[0]).longValue())));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A count(*) query's answer, read in the database ({@code key}: its ?1, or null for none). */
    public static long count(String sql, String key) throws Exception {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                    .chain(s -> Db.rows(s, sql, key == null ? List.of() : List.of(key)))
                    .map(rows -> ((Number) rows.get(0)[0]).longValue())));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static String line(String item, String warehouse, Object quantity) {
        return "{\"item\":\"" + item + "\",\"warehouse\":\"" + warehouse + "\",\"quantity\":" + quantity + "}";
    }

    public static String transferLine(String item, String from, String to, Object quantity) {
        return "{\"item\":\"" + item + "\",\"warehouse\":\"" + from + "\",\"toWarehouse\":\"" + to + "\",\"quantity\":"
                + quantity + "}";
    }

    public static String doc(String type, boolean post, String... lines) {
        return "{\"type\":\"" + type + "\",\"post\":" + post + ",\"date\":\"" + DAY + "\",\"lines\":["
                + String.join(",", lines) + "]}";
    }

    /** Whether document {@code id} is among the documents of {@code status}, paging through the list by its Link. */
    public static boolean listed(DocumentStatus status, String id) {
        Response page =
                given().queryParam("status", status).queryParam("limit", 1000).get("/v1/documents");
        while (true) {
            page.then().statusCode(200);
            if (page.jsonPath().getList("id", String.class).contains(id)) {
                return true;
            }
            String link = page.header("Link");
            if (link == null) {
                return false;
            }
            page = given().get(next(link));
        }
    }

    /** The documents list's next page, from its Link header (a query-only reference, resolved as RFC 3986 says). */
    public static String next(String link) {
        return URI.create("/v1/documents")
                .resolve(link.substring(1, link.indexOf('>')))
                .toString();
    }

    public static Response create(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/documents");
    }

    public static String receipt(String item, String warehouse, Object quantity) {
        Response r = create(doc("RECEIPT", true, line(item, warehouse, quantity)));
        r.then().statusCode(201);
        return r.jsonPath().getString("id");
    }

    public static BigDecimal balance(String item, String warehouse) {
        List<Map<String, Object>> b = given().queryParam("item", item)
                .queryParam("warehouse", warehouse)
                .get("/v1/balances")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("balances");
        return b.isEmpty()
                ? BigDecimal.ZERO
                : new BigDecimal(String.valueOf(b.get(0).get("quantity")));
    }

    public static void assertConsistent() {
        given().get("/v1/registers/check").then().statusCode(200).body("consistent", Matchers.equalTo(true));
    }

    /** Sends {@code bodies} to POST /v1/documents all at once; returns status and body of each. */
    public static List<HttpResponse<String>> concurrently(int port, List<String> bodies) {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (String body : bodies) {
            futures.add(http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/documents"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", Tokens.bearer())
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    public static JsonPath json(HttpResponse<String> r) {
        return new JsonPath(r.body());
    }
}
