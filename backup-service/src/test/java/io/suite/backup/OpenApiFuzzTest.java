package io.suite.backup;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

import org.eclipse.microprofile.config.inject.ConfigProperty;
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

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsASuiteProblem() throws Exception {
        // a request that would start a real backup (dumps, a read-only flip) is not sent: BackupApiTest covers those
        Instant start = Instant.now();
        // one connection for the whole run: the fingerprint is read twice per request
        try (Connection c = DriverManager.getConnection(jdbcUrl, TestDatabases.USER, TestDatabases.PASSWORD)) {
            OpenApiFuzzer fuzzer = new OpenApiFuzzer(base)
                    .skip(r ->
                            r.method().equals("POST") && r.template().equals("/v1/backups") && startsABackup(r.body()))
                    .stateFingerprint(() -> begunSince(c, start));
            fuzzer.assertEveryAnswerIsGood("backup-service");
        }
    }

    /** Backups and restores begun since the run started: a 4xx must begin none (and nothing else begins one here). */
    private static String begunSince(Connection c, Instant start) {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FILTER (WHERE started_at >= ?),"
                + " count(*) FILTER (WHERE restore_started_at >= ?) FROM backup")) {
            s.setObject(1, start.atOffset(ZoneOffset.UTC));
            s.setObject(2, start.atOffset(ZoneOffset.UTC));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return "backups " + r.getLong(1) + ", restores " + r.getLong(2);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean startsABackup(String body) {
        try {
            JsonNode b = JSON.readTree(body);
            if (b == null || b.isNull() || b.isMissingNode()) {
                return true;
            }
            JsonNode mode = b.path("maintenance");
            return b.isObject()
                    && (mode.isMissingNode()
                            || mode.isNull()
                            || mode.isTextual()
                                    && List.of("AUTO", "REQUIRE")
                                            .contains(mode.asText().trim().toUpperCase(Locale.ROOT)));
        } catch (Exception e) {
            return false;
        }
    }
}
