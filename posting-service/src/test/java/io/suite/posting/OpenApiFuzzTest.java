package io.suite.posting;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.suite.testing.fuzz.OpenApiFuzzer;

/** DESIGN.md "Bad input", checked by requests generated from this service's own OpenAPI document. */
@QuarkusTest
@QuarkusTestResource(value = PostingTestResources.class, parallel = true)
class OpenApiFuzzTest {
    @TestHTTPResource("/")
    URI base;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsASuiteProblem() throws Exception {
        // one connection for the whole run: the fingerprint is read twice per request
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            OpenApiFuzzer fuzzer = new OpenApiFuzzer(base).stateFingerprint(() -> written(c));
            fuzzer.assertEveryAnswerIsGood("posting-service");
        }
    }

    /**
     * What a request may create: documents, their lines, idempotency keys. Not movements: a posting run the
     * fuzzer started (a 202) posts its DRAFT documents in the background. posting_test is shared by runs of
     * this module on one machine: two at once on one machine may see each other's documents here.
     */
    private static String written(Connection c) {
        try (Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM document_lines),"
                                + " (SELECT count(*) FROM idempotency_keys)")) {
            r.next();
            return "documents " + r.getLong(1) + ", lines " + r.getLong(2) + ", keys " + r.getLong(3);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
