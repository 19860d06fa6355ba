package io.suite.posting;

import java.net.URI;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.suite.testing.fuzz.OpenApiFuzzer;

/** DESIGN.md "Bad input", checked by requests generated from this service's own OpenAPI document. */
@QuarkusTest
@QuarkusTestResource(PostingTestResources.class)
class OpenApiFuzzTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsASuiteProblem() throws Exception {
        OpenApiFuzzer fuzzer = new OpenApiFuzzer(base);
        fuzzer.assertEveryAnswerIsGood("posting-service");
    }
}
