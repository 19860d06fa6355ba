package io.suite.maintenance;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.Kafka;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

/**
 * A fence outlives the maintenance-service that applied it: killed while read-only with a path
 * fenced, the next process still lists it (DRAINED, the role still cannot write), and its return
 * to READ_WRITE lifts the fence it never applied itself, from the record in the database.
 */
class FenceRestartIT {

    @Test
    void aRestartedServiceKeepsTheFenceAndLiftsItOnReadWrite() throws Exception {
        String run = Unique.name("fr").replace('-', '_');
        String service = "fence-it-" + run.substring(run.length() - 8);
        Suite suite = new Suite();
        Map<String, String> config = suite.maintenance();
        config.put("quarkus.datasource.fence.reactive.url", "postgresql://" + Suite.PG + "/maintenance_test");
        config.put("maintenance.fence.roles.\"" + service + "\"", run + "_app:" + run + "_writer");
        config.put("maintenance.lost-after", "2s");
        try (FencedRoles roles = new FencedRoles(run + "_app", run + "_writer")) {
            long ro;
            try (ServiceProcess first = ServiceProcess.start("maintenance-service", config)) {
                String url = first.url() + "/v1/maintenance";
                long rw = Http.post(url + "/read-write", "{\"force\":true}").json().get("epoch").asLong();
                Kafka.send(suite.statusTopic, "w-r", Http.JSON.writeValueAsString(Map.of("instance", "w-r",
                        "service", service, "epoch", rw, "inFlight", 1, "drained", false,
                        "at", Instant.now().toString(), "stateMaxAgeMs", 1000, "aborted", 0)));
                await().atMost(Duration.ofSeconds(20)).until(() -> Http.get(url).body().contains("\"w-r\""));
                Http.Answer flip = Http.post(url + "/read-only", "{\"reason\":\"restart\",\"drainTimeoutMs\":600000}");
                assertEquals(202, flip.status(), flip.body());
                ro = flip.json().get("epoch").asLong();
                await().atMost(Duration.ofSeconds(30)).until(() -> fencedAndDrained(Http.get(url).json(), ro));
                first.kill();
            }
            assertEquals("42501", assertThrows(SQLException.class, () -> roles.insert("while down")).getSQLState());

            try (ServiceProcess second = ServiceProcess.start("maintenance-service", config)) {
                String url = second.url() + "/v1/maintenance";
                await().atMost(Duration.ofSeconds(30)).until(() -> fencedAndDrained(Http.get(url).json(), ro));
                assertEquals("42501", assertThrows(SQLException.class, () -> roles.insert("still fenced")).getSQLState());

                Http.Answer back = Http.post(url + "/read-write", "{\"reason\":\"done\"}");
                assertEquals(202, back.status(), back.body());
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> roles.insert("lifted") == 1);
                assertEquals("[]", Http.get(url).json().get("fenced").toString());
            }
        }
    }

    private static boolean fencedAndDrained(JsonNode s, long epoch) {
        return s.get("epoch").asLong() == epoch && "DRAINED".equals(s.get("phase").asText())
                && s.get("fenced").toString().equals("[\"w-r\"]");
    }
}
