package io.suite.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the one API-server path the kubectl plugin uses, as there is no cluster here:
 * {@code /api/v1/namespaces/NS/services/http:NAME:http/proxy/REST} is forwarded to the real
 * service, as the API server's service proxy does, and a namespace named "forbidden" answers
 * 403 the way RBAC would. The real kubectl talks to it through a kubeconfig.
 */
final class ServiceProxyStandIn implements AutoCloseable {
    static final Pattern PROXY = Pattern.compile("/api/v1/namespaces/([^/]+)/services/http:([^/:]+):http/proxy(/.*)");
    private final HttpServer server;
    private final Map<String, String> serviceUrls;
    private final HttpClient http = HttpClient.newHttpClient();

    private ServiceProxyStandIn(Map<String, String> serviceUrls) throws IOException {
        this.serviceUrls = serviceUrls;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static ServiceProxyStandIn start(Map<String, String> serviceUrls) throws IOException {
        return new ServiceProxyStandIn(serviceUrls);
    }

    /** A kubeconfig whose cluster is this stand-in. */
    Path kubeconfig(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: standin, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: operator, user: {}}]
                contexts: [{name: standin, context: {cluster: standin, user: operator}}]
                current-context: standin
                """.formatted(server.getAddress().getPort()));
        return file;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/version")) {
                reply(
                        exchange,
                        200,
                        "application/json",
                        "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.4\"}");
                return;
            }
            Matcher m = PROXY.matcher(path);
            if (!m.matches() || !serviceUrls.containsKey(m.group(2))) {
                reply(
                        exchange,
                        404,
                        "application/json",
                        status(404, "NotFound", "the server could not find the requested resource"));
                return;
            }
            if (m.group(1).equals("forbidden")) {
                reply(
                        exchange,
                        403,
                        "application/json",
                        status(
                                403,
                                "Forbidden",
                                "services \\\"http:" + m.group(2)
                                        + ":http\\\" is forbidden: User \\\"operator\\\" cannot "
                                        + (exchange.getRequestMethod().equals("GET") ? "get" : "create")
                                        + " resource \\\"services/proxy\\\" in API group \\\"\\\" in the namespace \\\"forbidden\\\""));
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(serviceUrls.get(m.group(2)) + m.group(3)))
                    .timeout(Duration.ofSeconds(30))
                    .method(
                            exchange.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                forward.header("Content-Type", contentType);
            }
            // as the API server: every header but the caller's Authorization, which it consumed itself
            String forwardedToken = exchange.getRequestHeaders().getFirst("X-Suite-Authorization");
            if (forwardedToken != null) {
                forward.header("X-Suite-Authorization", forwardedToken);
            }
            HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            exchange.getResponseHeaders()
                    .set(
                            "Content-Type",
                            response.headers().firstValue("Content-Type").orElse("application/json"));
            exchange.sendResponseHeaders(
                    response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            exchange.getResponseBody().write(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
