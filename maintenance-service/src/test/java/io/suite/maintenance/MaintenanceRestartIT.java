package io.suite.maintenance;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Kafka;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A killed maintenance-service comes back from PostgreSQL with its state, hold and history, and with the fence
 * it applied: killed while read-only (held by a backup) with a path fenced, the next process still lists it
 * (DRAINED, the role still cannot write), and its return to READ_WRITE lifts the fence it never applied itself,
 * from the record in the database. One kill and restart for both (each start of the service is most of the
 * time of this test).
 */
class MaintenanceRestartIT {

    @Test
    void aKilledServiceComesBackWithItsStateHistoryAndFenceAndLiftsTheFenceOnReadWrite() throws Exception {
        String run = Unique.name("fr").replace('-', '_');
        String service = "fence-it-" + run.substring(run.length() - 8);
        Suite suite = new Suite();
        Map<String, String> config = suite.maintenance();
        config.put("quarkus.datasource.fence.reactive.url", "postgresql://" + Suite.PG + "/maintenance_test");
        config.put("maintenance.fence.roles.\"" + service + "\"", run + "_app:" + run + "_writer");
        config.put("maintenance.lost-after", "2s");
        long ro;
        try (FencedRoles roles = new FencedRoles(run + "_app", run + "_writer")) {
            try (ServiceProcess first = ServiceProcess.start("maintenance-service", config)) {
                String url = first.url() + "/v1/maintenance";
                long rw = Http.post(url + "/read-write", "{\"force\":true}")
                        .json()
                        .get("epoch")
                        .asLong();
                Kafka.send(
                        suite.statusTopic,
                        "w-r",
                        Http.JSON.writeValueAsString(Map.of(
                                "instance",
                                "w-r",
                                "service",
                                service,
                                "epoch",
                                rw,
                                "inFlight",
                                1,
                                "drained",
                                false,
                                "at",
                                Instant.now().toString(),
                                "stateMaxAgeMs",
                                1000,
                                "aborted",
                                0)));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> Http.get(url).body().contains("\"w-r\""));
                Http.Answer flip = Http.post(
                        url + "/read-only",
                        "{\"reason\":\"restart test\",\"heldBy\":\"backup:it\",\"drainTimeoutMs\":600000}");
                assertEquals(202, flip.status(), flip.body());
                ro = flip.json().get("epoch").asLong();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> fencedAndDrained(Http.get(url).json(), ro));
                first.kill();
            }
            assertEquals(
                    "42501",
                    assertThrows(SQLException.class, () -> roles.insert("while down"))
                            .getSQLState());

            try (ServiceProcess second = ServiceProcess.start("maintenance-service", config)) {
                String url = second.url() + "/v1/maintenance";
                JsonNode state = Http.get(url).json();
                assertEquals("READ_ONLY", state.get("mode").asText());
                assertEquals(ro, state.get("epoch").asLong());
                assertEquals("backup:it", state.get("heldBy").asText());
                assertEquals(
                        Tokens.DEFAULT_USER,
                        Http.get(url + "/history?limit=1")
                                .json()
                                .get(0)
                                .get("requestedBy")
                                .asText());
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> fencedAndDrained(Http.get(url).json(), ro));
                assertEquals(
                        "42501",
                        assertThrows(SQLException.class, () -> roles.insert("still fenced"))
                                .getSQLState());

                // the hold survived too: read-write only by its holder (or forced)
                assertEquals(409, Http.post(url + "/read-write", "{}").status());
                Http.Answer back = Http.post(url + "/read-write", "{\"heldBy\":\"backup:it\"}");
                assertEquals(202, back.status(), back.body());
                assertEquals(ro + 1, back.json().get("epoch").asLong());
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> roles.insert("lifted") == 1);
                assertEquals("[]", Http.get(url).json().get("fenced").toString());
            }
        }
        // What write paths will read: the latest record on the compacted topic is the new epoch.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var records = Kafka.readAll(suite.stateTopic);
            assertTrue(!records.isEmpty());
            JsonNode last = Http.JSON.readTree(records.get(records.size() - 1).value());
            assertEquals(ro + 1, last.get("epoch").asLong());
            assertEquals("READ_WRITE", last.get("mode").asText());
        });
    }

    private static boolean fencedAndDrained(JsonNode s, long epoch) {
        return s.get("epoch").asLong() == epoch
                && "DRAINED".equals(s.get("phase").asText())
                && s.get("fenced").toString().equals("[\"w-r\"]");
    }
}
