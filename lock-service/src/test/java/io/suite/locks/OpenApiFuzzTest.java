package io.suite.locks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
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
        List<String> failures = fuzzer.run();
        System.out.println("lock-service fuzz: " + fuzzer.summary());
        assertTrue(failures.isEmpty(), failures.size() + " bad answers:\n" + String.join("\n", failures));
    }
}
