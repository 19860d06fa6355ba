package io.suite.testing;

import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * What every service of the suite serves: health that checks its real dependencies and Prometheus metrics on its
 * management interface (not on the API's port), and its OpenAPI document on the API's port. A service's smoke test
 * extends this with {@code @QuarkusTest}.
 */
public abstract class ServiceSmokeTest {

    /** A path that must appear in the service's OpenAPI document, e.g. "/v1/locks". */
    protected abstract String apiPath();

    /**
     * For a packaged artifact ({@code @QuarkusIntegrationTest}): ready, its own {@code metric} on the management
     * interface, and {@code apiPath} in its OpenAPI document.
     */
    public static void assertServes(String metric, String apiPath) {
        given().get(Management.health("ready")).then().statusCode(200).body("status", equalTo("UP"));
        given().get(Management.metrics()).then().statusCode(200).body(containsString(metric));
        given().queryParam("format", "json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body(containsString("\"" + apiPath));
    }

    @Test
    void isLiveAndReadyWithItsRealDependencies() {
        given().get(Management.health("live")).then().statusCode(200).body("status", equalTo("UP"));
        given().get(Management.health("ready")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void servesPrometheusMetrics() {
        given().get(Management.metrics()).then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        // only on the management interface: the API's port, open to the API's callers, does not serve it
        given().get("/q/metrics").then().statusCode(404);
    }

    @Test
    void publishesItsApi() {
        given().queryParam("format", "json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body(containsString("\"" + apiPath()));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
