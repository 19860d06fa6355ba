package io.suite.backup;

import java.time.Duration;
import java.util.Map;

import io.restassured.path.json.JsonPath;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** maintenance-service (a real process) as the tests drive it, like an operator would. */
public record Maintenance(String url) {

    public JsonPath state() {
        return given().baseUri(url)
                .get("/v1/maintenance")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    public String mode() {
        return state().getString("mode");
    }

    public String history() {
        return given().baseUri(url)
                .get("/v1/maintenance/history")
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    public void readOnlyAndAwaitDrained(String reason) {
        readOnlyAndAwaitDrained(reason, Duration.ofMinutes(2));
    }

    /** An operator's read-only window of {@code duration} (it ends by itself unless renewed), once DRAINED. */
    public void readOnlyAndAwaitDrained(String reason, Duration duration) {
        given().baseUri(url)
                .contentType("application/json")
                .body(Map.of("reason", reason, "durationMs", duration.toMillis(), "drainTimeoutMs", 10_000))
                .post("/v1/maintenance/read-only")
                .then()
                .statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DRAINED".equals(state().getString("phase")));
    }

    public int readWrite(boolean force) {
        return given().baseUri(url)
                .contentType("application/json")
                .body(Map.of("reason", "test done", "force", force))
                .post("/v1/maintenance/read-write")
                .then()
                .extract()
                .statusCode();
    }

    public void awaitMode(String mode, Duration atMost) {
        await().atMost(atMost).until(() -> mode.equals(mode()));
    }
}
