package io.suite.maintenance;

import io.suite.testing.Kafka;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.suite.testing.ServiceProcess;

import static org.awaitility.Awaitility.await;

/** A restarted maintenance-service recovers its state, hold and history from PostgreSQL. */
class MaintenanceRestartIT {

    @Test
    void aKilledServiceComesBackWithItsStateAndHistory() throws Exception {
        Suite suite = new Suite();
        long epoch;
        try (ServiceProcess first = ServiceProcess.start("maintenance-service", suite.maintenance())) {
            Http.Answer ro = Http.post(first.url() + "/v1/maintenance/read-only",
                    "{\"reason\":\"restart test\",\"heldBy\":\"backup:it\",\"requestedBy\":\"it\"}");
            assertEquals(202, ro.status(), ro.body());
            epoch = ro.json().get("epoch").asLong();
            first.kill();
        }
        try (ServiceProcess second = ServiceProcess.start("maintenance-service", suite.maintenance())) {
            JsonNode state = Http.get(second.url() + "/v1/maintenance").json();
            assertEquals("READ_ONLY", state.get("mode").asText());
            assertEquals(epoch, state.get("epoch").asLong());
            assertEquals("backup:it", state.get("heldBy").asText());
            assertEquals("it", Http.get(second.url() + "/v1/maintenance/history?limit=1").json().get(0)
                    .get("requestedBy").asText());

            assertEquals(409, Http.post(second.url() + "/v1/maintenance/read-write", "{}").status());
            Http.Answer rw = Http.post(second.url() + "/v1/maintenance/read-write", "{\"heldBy\":\"backup:it\"}");
            assertEquals(202, rw.status(), rw.body());
            assertEquals(epoch + 1, rw.json().get("epoch").asLong());
        }
        // What write paths will read: the latest record on the compacted topic is the new epoch.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var records = Kafka.readAll(suite.stateTopic);
            assertTrue(!records.isEmpty());
            JsonNode last = Http.JSON.readTree(records.get(records.size() - 1).value());
            assertEquals(epoch + 1, last.get("epoch").asLong());
            assertEquals("READ_WRITE", last.get("mode").asText());
        });
    }
}
