package io.suite.maintenance;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.suite.testing.fuzz.OpenApiFuzzer;

/** DESIGN.md "Bad input", checked by requests generated from this service's own OpenAPI document. */
@QuarkusTest
@TestProfile(UniqueMaintenance.class)
class OpenApiFuzzTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsASuiteProblem() throws Exception {
        var config = ConfigProvider.getConfig();
        String schema = config.getValue("quarkus.flyway.schemas", String.class);
        // one connection for the whole run: the fingerprint is read twice per request
        try (Connection c = DriverManager.getConnection(
                config.getValue("quarkus.datasource.jdbc.url", String.class), "suite", "suite")) {
            OpenApiFuzzer fuzzer = new OpenApiFuzzer(base).stateFingerprint(() -> changes(c, schema));
            fuzzer.assertEveryAnswerIsGood("maintenance-service");
        }
    }

    /** Every change the requests made: its history, without the ends of read-only epochs that ran out by themselves. */
    private static String changes(Connection c, String schema) {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*), coalesce(max(id), 0) FROM " + schema
                        + ".maintenance_history WHERE reason IS DISTINCT FROM 'expired'")) {
            r.next();
            return "history " + r.getLong(1) + " up to " + r.getLong(2);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
