package io.suite.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
        if (a.status() == 202) {
            assertNoLostPathWhenDrained(a.json());
        }
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
                    assertNoLostPathWhenDrained(s);
                    return s.get("epoch").asLong() == epoch
                            && "DRAINED".equals(s.get("phase").asText());
                });
        ledger.locks.drainedShown(Instant.now());
        ledger.event("DRAINED shown: " + seen[0]);
        return seen[0];
    }

    /**
     * DESIGN: a silent write path is not gone, it may wake with a write in flight; it holds DRAINED back until
     * it is fenced. So no state shown as DRAINED lists a path as "lost" (silent, not fenced).
     */
    private static void assertNoLostPathWhenDrained(JsonNode s) {
        if (!"DRAINED".equals(s.path("phase").asText())) {
            return;
        }
        for (JsonNode p : s.path("writePaths")) {
            assertNotEquals("lost", p.path("state").asText(), "DRAINED shown while a write path is lost: " + s);
        }
    }

    /** Waits until a write path of {@code service} is shown "lost" (silent for lost-after); returns its instance. */
    String awaitLost(String service) {
        String[] lost = new String[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (JsonNode p : state().get("writePaths")) {
                        if (service.equals(p.path("service").asText())
                                && "lost".equals(p.path("state").asText())) {
                            lost[0] = p.get("instance").asText();
                            return true;
                        }
                    }
                    return false;
                });
        ledger.event(service + " " + lost[0] + " shown lost");
        return lost[0];
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
