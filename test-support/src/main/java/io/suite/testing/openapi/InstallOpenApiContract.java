package io.suite.testing.openapi;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;

/**
 * Puts {@link OpenApiContractFilter} among RestAssured's filters before each {@code @QuarkusTest} method
 * (found by Quarkus through META-INF/services), so every service test checks the document too
 * ({@code -Dopenapi.contract=false} turns it off, e.g. to see a test's own failure first).
 */
public final class InstallOpenApiContract implements QuarkusTestBeforeEachCallback {
    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (!"false".equals(System.getProperty("openapi.contract"))
                && RestAssured.filters().stream().noneMatch(OpenApiContractFilter.class::isInstance)) {
            RestAssured.filters(new OpenApiContractFilter());
        }
    }
}
