package io.suite.locks;

import java.net.URI;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.suite.testing.fuzz.OpenApiFuzzer;

/** DESIGN.md "Bad input", checked by requests generated from this service's own OpenAPI document. */
@QuarkusTest
class OpenApiFuzzTest {
    @TestHTTPResource("/")
    URI base;

    @Inject
    LockStore store;

    @Test
    void noRequestGetsA5xxAndEvery4xxIsASuiteProblem() throws Exception {
        // what a 4xx must not change: the fencing counter (a grant) and the lock transactions whose lease ends
        // more than 5 minutes from now (a begin or a renewal); shorter ones are left out: they expire during the run
        String farAway = String.valueOf(System.currentTimeMillis() + 300_000);
        OpenApiFuzzer fuzzer = new OpenApiFuzzer(base)
                .skipPaths(Set.of("/v1/locks/stream")) // an endless event stream
                .capNumber("timeoutMs", 50) // a granted fuzz lock may block a later fuzz request: never for long
                .stateFingerprint(() -> "fence="
                        + store.command("GET", store.key("fence")).await().indefinitely()
                        + " leases="
                        + store.command("ZCOUNT", store.key("leases"), "(" + farAway, "+inf")
                                .await()
                                .indefinitely());
        fuzzer.assertEveryAnswerIsGood("lock-service");
    }
}
