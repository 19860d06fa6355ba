package io.suite.posting.registers;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.suite.posting.Api;
import io.suite.posting.PostingTestResources;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Totals splitting ({@link SalesRegister#add}) against real PostgreSQL, through the posting API. */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
class SalesTotalsTest {

    @TestHTTPResource("/v1/documents")
    URI documents;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    @ConfigProperty(name = "posting.sales-splits")
    int splits;

    /**
     * Another transaction holds all split rows of a total but one free number (as postings waiting for
     * their managed locks do). Shipments of that total still complete: the first opens the free split,
     * the others find it free. With a random split they would wait for the holder's end (31 in 32).
     */
    @Test
    void aWriterOfATotalDoesNotWaitForTheTransactionsHoldingItsSplits() throws Exception {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        Api.receipt(item, wh, 100);
        HttpClient http = HttpClient.newHttpClient();
        try (Connection holder = DriverManager.getConnection(jdbcUrl, user, password)) {
            execute(
                    holder,
                    "INSERT INTO sales_turnovers (item, warehouse, day, split, quantity, amount)"
                            + " SELECT ?, ?, date '" + Api.DAY + "', g, 0, 0 FROM generate_series(0, " + (splits - 2)
                            + ") AS g",
                    item,
                    wh);
            holder.setAutoCommit(false);
            assertEquals(
                    splits - 1,
                    execute(
                            holder,
                            "SELECT count(*) FROM (SELECT 1 FROM sales_turnovers"
                                    + " WHERE item = ? AND warehouse = ? FOR UPDATE) AS held",
                            item,
                            wh));
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = http.sendAsync(
                                HttpRequest.newBuilder(documents)
                                        .header("Content-Type", "application/json")
                                        .header("Authorization", Tokens.bearer())
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                Api.doc("SHIPMENT", true, Api.line(item, wh, 2))))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        // a wait for the holder would never end while it holds: this only turns a hang into a failure
                        .get(60, TimeUnit.SECONDS);
                assertEquals(201, r.statusCode(), r.body());
            }
            holder.rollback();
            holder.setAutoCommit(true);
            assertEquals(
                    splits,
                    execute(holder, "SELECT count(*) FROM sales_turnovers WHERE item = ? AND warehouse = ?", item, wh));
        }
        List<Map<String, Object>> totals = given().queryParam("item", item)
                .queryParam("warehouse", wh)
                .get("/v1/sales")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("turnovers");
        assertEquals(1, totals.size(), totals::toString);
        assertEquals(
                0,
                new BigDecimal("20")
                        .compareTo(new BigDecimal(String.valueOf(totals.get(0).get("quantity")))),
                totals::toString);
        Api.assertConsistent();
    }

    /** Runs {@code sql} with string parameters; answers the first column of a query, or the update count. */
    private static int execute(Connection c, String sql, String... parameters) throws Exception {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                st.setString(i + 1, parameters[i]);
            }
            if (!st.execute()) {
                return st.getUpdateCount();
            }
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
