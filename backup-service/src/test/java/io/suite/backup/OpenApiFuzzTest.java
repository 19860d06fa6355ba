package io.suite.backup;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.suite.testing.fuzz.OpenApiFuzzer;

/** DESIGN.md "Bad input", checked by requests generated from this service's own OpenAPI document. */
@QuarkusTest
@QuarkusTestResource(SuiteUnderBackup.class)
class OpenApiFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsASuiteProblem() throws Exception {
        // a request that would start a real backup (dumps, a read-only flip) is not sent: BackupApiTest covers those
        OpenApiFuzzer fuzzer = new OpenApiFuzzer(base).skip(r -> r.method().equals("POST") && r.template().equals("/v1/backups")
                && startsABackup(r.body()));
        fuzzer.assertEveryAnswerIsGood("backup-service");
    }

    private static boolean startsABackup(String body) {
        try {
            JsonNode b = JSON.readTree(body);
            if (b == null || b.isNull() || b.isMissingNode()) {
                return true;
            }
            JsonNode mode = b.path("maintenance");
            return b.isObject() && (mode.isMissingNode() || mode.isNull() || mode.isTextual()
                    && List.of("AUTO", "REQUIRE").contains(mode.asText().trim().toUpperCase(Locale.ROOT)));
        } catch (Exception e) {
            return false;
        }
    }
}
