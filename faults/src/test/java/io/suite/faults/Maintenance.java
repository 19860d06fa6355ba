package io.suite.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** maintenance-service as an operator drives it: flips, and waits for phases. */
final class Maintenance {
    private final String url;
    private final Ledger ledger;

    Maintenance(String url, Ledger ledger) {
        this.url = url;
        this.ledger = ledger;
    }

    JsonNode state() {
        return Http.get(url).json();
    }

    /** Asks for read-only; returns the answer (202 with the new epoch, or a 503 that changed nothing). */
    Http.Answer readOnly(String reason, long drainTimeoutMs) {
        Http.Answer a = Http.post(
                url + "/read-only",
                "{\"reason\":\"" + reason + "\",\"durationMs\":600000,\"drainTimeoutMs\":" + drainTimeoutMs + "}",
                Map.of(),
                Duration.ofSeconds(120));
        ledger.event("read-only asked: " + a.status() + " " + a.body());
        return a;
    }

    long readOnlyEpoch(String reason, long drainTimeoutMs) {
        Http.Answer a = readOnly(reason, drainTimeoutMs);
        assertEquals(202, a.status(), a.body());
        return a.json().get("epoch").asLong();
    }

    /** Waits until GET shows phase DRAINED for {@code epoch}; returns that state. */
    JsonNode awaitDrained(long epoch) {
        JsonNode[] seen = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    JsonNode s = state();
                    seen[0] = s;
                    return s.get("epoch").asLong() == epoch
                            && "DRAINED".equals(s.get("phase").asText());
                });
        ledger.locks.drainedShown(Instant.now());
        ledger.event("DRAINED shown: " + seen[0]);
        return seen[0];
    }

    /** Waits until every write path listed reports {@code epoch} again (a thawed path has caught up). */
    void awaitEveryPathHeard(long epoch, int paths) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonNode s = state();
                    long current = 0;
                    for (JsonNode p : s.get("writePaths")) {
                        current += p.get("epoch").asLong() == epoch ? 1 : 0;
                    }
                    return current >= paths;
                });
    }

    void readWrite(String reason) {
        ledger.locks.readWriteAsked(Instant.now());
        Http.Answer a = Http.post(
                url + "/read-write",
                "{\"reason\":\"" + reason + "\",\"force\":true}",
                Map.of(),
                Duration.ofSeconds(120));
        ledger.event("read-write asked: " + a.status() + " " + a.body());
        assertEquals(202, a.status(), a.body());
    }
}
