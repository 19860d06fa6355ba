package io.suite.maintenance;

import java.net.URI;

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
        OpenApiFuzzer fuzzer = new OpenApiFuzzer(base);
        fuzzer.assertEveryAnswerIsGood("maintenance-service");
    }
}
