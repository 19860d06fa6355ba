package io.suite.locks;

import java.net.URI;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.suite.testing.fuzz.OpenApiFuzzer;

/** DESIGN.md "Bad input", checked by requests generated from this service's own OpenAPI document. */
@QuarkusTest
class OpenApiFuzzTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsASuiteProblem() throws Exception {
        OpenApiFuzzer fuzzer = new OpenApiFuzzer(base)
                .skipPaths(Set.of("/v1/locks/stream")) // an endless event stream
                .capNumber("timeoutMs", 50); // a granted fuzz lock may block a later fuzz request: never for long
        fuzzer.assertEveryAnswerIsGood("lock-service");
    }
}
