package io.suite.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON over HTTP for tests that talk to real service processes. A request that gets no answer
 * within its timeout (or no connection) comes back as status 0 with the error as body, so a
 * fault-injection test can record it like any other answer instead of dying with it. Every request carries
 * {@link Tokens#DEFAULT_USER}'s bearer token unless its headers name an {@code Authorization} ({@link #ANONYMOUS}:
 * none at all).
 */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Headers for a request that must go out with no token. */
    public static final Map<String, String> ANONYMOUS = Map.of("Authorization", "");

    private Http() {}

    public record Answer(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }

        /** The problem type's last segment (read-only, insufficient-stock ...), or "" when not a problem. */
        public String problem() {
            if (status < 400 || !body.contains("\"type\"")) {
                return "";
            }
            String type = json().path("type").asText("");
            return type.substring(type.lastIndexOf('/') + 1);
        }
    }

    public static Answer get(String url) {
        return get(url, Map.of());
    }

    public static Answer get(String url, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        withToken(headers).forEach(b::header);
        return send(b, Duration.ofSeconds(30));
    }

    public static Answer post(String url, String json) {
        return post(url, json, Map.of(), Duration.ofSeconds(30));
    }

    public static Answer post(String url, String json, Map<String, String> headers, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        withToken(headers).forEach(b::header);
        return send(b, timeout);
    }

    /** {@code headers} with the default bearer token added, or an empty {@code Authorization} left out. */
    static Map<String, String> withToken(Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        String auth = all.get("Authorization");
        if (auth == null) {
            all.put("Authorization", Tokens.bearer());
        } else if (auth.isEmpty()) {
            all.remove("Authorization");
        }
        return all;
    }

    private static Answer send(HttpRequest.Builder request, Duration timeout) {
        try {
            HttpResponse<String> r =
                    CLIENT.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, e.toString());
        }
    }
}
