package io.suite.posting.runs;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.suite.posting.Api;
import io.suite.posting.PostingTestResources;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static io.suite.posting.Api.balance;
import static io.suite.posting.Api.create;
import static io.suite.posting.Api.line;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Posting runs whose instance died: another replica reports them ABANDONED once their heartbeat stopped
 * ({@code %test}: beat every 1 s, abandoned after 3 s), and a new run posts what they left; a live run keeps
 * its heartbeat fresh in {@code posting_runs} while a batch waits in PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
class PostingRunHeartbeatTest {

    @Inject
    PostingRuns runs;

    @Test
    void aRunWhoseInstanceDiedIsAbandonedAndANewRunPostsWhatItLeft() throws Throwable {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        String draft = create("{\"type\":\"RECEIPT\",\"post\":false,\"lines\":[" + line(item, wh, 4) + "]}")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        // a run another instance was running when it died: its heartbeat stopped an hour ago
        UUID dead = UUID.randomUUID();
        execute("INSERT INTO posting_runs (id, status, posted, failed, failures, started_at, owner, heartbeat_at)"
                + " VALUES ('" + dead + "', 'RUNNING', 3, 0, '[]', now() - interval '2 hours', 'posting-dead-1',"
                + " now() - interval '1 hour')");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/v1/posting-runs/" + dead)
                        .then()
                        .statusCode(200)
                        .body("status", equalTo("ABANDONED")));
        given().get("/v1/posting-runs/" + dead)
                .then()
                .body("owner", equalTo("posting-dead-1"))
                .body("posted", equalTo(3))
                .body("heartbeatAt", notNullValue())
                .body("startedAt", notNullValue());
        given().get("/v1/documents/" + draft).then().body("status", equalTo("DRAFT"));

        // a new run starts while the abandoned one is there, and posts the DRAFT it left; an operator (the least
        // role) starts it, and the run says so
        String id = given().header("Authorization", Tokens.bearer("operator"))
                .contentType(ContentType.JSON)
                .body("{\"parallelism\":2,\"batchSize\":50}")
                .post("/v1/posting-runs")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> given().get("/v1/posting-runs/" + id).then().body("status", equalTo("DONE")));
        given().get("/v1/documents/" + draft).then().body("status", equalTo("POSTED"));
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(4)));
        Map<String, Object> saved = VertxContextSupport.subscribeAndAwait(() -> runs.stored(UUID.fromString(id)))
                .orElseThrow();
        assertEquals("operator", saved.get("startedBy"), saved.toString());
        given().get("/v1/posting-runs/" + dead)
                .then()
                .body("status", equalTo("ABANDONED"))
                .body("startedBy", nullValue());
        Api.assertConsistent();
    }

    @Test
    void aLiveRunKeepsItsHeartbeatFreshWhileABatchWaits() throws Throwable {
        String item = Unique.name("item");
        String wh = Unique.name("wh");
        Api.receipt(item, wh, 5);
        String draft = create("{\"type\":\"RECEIPT\",\"post\":false,\"lines\":[" + line(item, wh, 1) + "]}")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String id;
        try (Connection holder = connect()) {
            // another session holds the Stock row the run's batch must write: the batch waits in PostgreSQL
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement(
                    "SELECT quantity FROM stock_balances WHERE item = ? AND warehouse = ? FOR UPDATE")) {
                lock.setString(1, item);
                lock.setString(2, wh);
                lock.executeQuery().close();
            }
            id = given().contentType(ContentType.JSON)
                    .body("{\"parallelism\":4,\"batchSize\":50}")
                    .post("/v1/posting-runs")
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            UUID run = UUID.fromString(id);
            await().atMost(Duration.ofSeconds(30)).until(PostingRunHeartbeatTest::aWriteWaitsOnStock);
            // well past the abandoned-after limit (3 s) since the run's last save, the row is still beaten
            await().atMost(Duration.ofSeconds(60)).until(() -> secondsSinceStart(run) > 8);
            Map<String, Object> seenElsewhere = VertxContextSupport.subscribeAndAwait(() -> runs.stored(run))
                    .orElseThrow();
            assertEquals("RUNNING", seenElsewhere.get("status"), seenElsewhere.toString());
            assertTrue(heartbeatAge(run) < 3, "heartbeat " + heartbeatAge(run) + " s old");
            given().get("/v1/documents/" + draft).then().body("status", equalTo("DRAFT"));
            holder.rollback();
        }
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> given().get("/v1/posting-runs/" + id).then().body("status", equalTo("DONE")));
        given().get("/v1/documents/" + draft).then().body("status", equalTo("POSTED"));
        assertEquals(0, balance(item, wh).compareTo(new BigDecimal(6)));
    }

    private static boolean aWriteWaitsOnStock() throws SQLException {
        return number("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '%stock_balances%' AND datname = current_database()")
                > 0;
    }

    private static double secondsSinceStart(UUID run) throws SQLException {
        return number("SELECT extract(epoch FROM now() - started_at) FROM posting_runs WHERE id = '" + run + "'");
    }

    private static double heartbeatAge(UUID run) throws SQLException {
        return number("SELECT extract(epoch FROM now() - heartbeat_at) FROM posting_runs WHERE id = '" + run + "'");
    }

    private static double number(String sql) throws SQLException {
        try (Connection c = connect();
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = connect()) {
            c.createStatement().execute(sql);
        }
    }

    /** A session of its own on this test's database, with the service's own settings. */
    private static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(
                config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }
}
