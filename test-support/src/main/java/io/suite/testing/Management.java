package io.suite.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The management interface of the app under test (quarkus.management.*: health and metrics live there, not on the
 * API's port). A {@code @QuarkusTest} gets a random management port ({@code quarkus.management.test-port=0}), which
 * Quarkus publishes as the system property read here. A {@code @QuarkusIntegrationTest} launches the artifact
 * without one, so it adds this class as a test resource: a free port, given to the artifact and published the same way.
 */
public final class Management implements QuarkusTestResourceLifecycleManager {
    private static final String TEST_PORT = "quarkus.management.test-port";

    /** The base URL of the app under test's management interface, e.g. {@code http://localhost:41234/q}. */
    public static String url() {
        String port = System.getProperty(TEST_PORT);
        if (port == null || port.equals("0")) {
            throw new IllegalStateException("no management port is known yet: is the app under test started?");
        }
        return "http://localhost:" + port + "/q";
    }

    /** The app under test's {@code /q/metrics}. */
    public static String metrics() {
        return url() + "/metrics";
    }

    /** The app under test's {@code /q/health/<check>}, e.g. {@code ready}. */
    public static String health(String check) {
        return url() + "/health/" + check;
    }

    /** For a packaged artifact (an integration test): its management interface on a free port. */
    @Override
    public Map<String, String> start() {
        try (ServerSocket socket = new ServerSocket(0)) {
            String port = String.valueOf(socket.getLocalPort());
            System.setProperty(TEST_PORT, port);
            return Map.of("quarkus.management.port", port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        System.clearProperty(TEST_PORT);
    }
}
