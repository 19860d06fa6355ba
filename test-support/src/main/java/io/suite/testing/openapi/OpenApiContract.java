package io.suite.testing.openapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.OpenApi31;

/**
 * A service's own OpenAPI document (GET /q/openapi) as a check of its answers: the status is declared for
 * the operation, the Content-Type is one the answer declares, and the body matches its schema (OpenAPI 3.1
 * dialect, so nullability and formats count). Requests are not checked: tests send bad ones on purpose.
 * Paths the document does not describe ({@code /q/...}, the monitor page) are not checked.
 */
public final class OpenApiContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOC_URI = "https://suite.test/openapi.json";
    private static final Map<String, Optional<OpenApiContract>> BY_BASE = new ConcurrentHashMap<>();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final JsonNode doc;
    private final List<Route> routes = new ArrayList<>();
    private final SchemaRegistry schemas;
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private record Route(String template, Pattern pattern, JsonNode item) {}

    public OpenApiContract(JsonNode doc) {
        this.doc = doc;
        String text = doc.toString();
        this.schemas = SchemaRegistry.withDialect(OpenApi31.getInstance(), b -> b.schemas(Map.of(DOC_URI, text)));
        Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> p = paths.next();
            String regex = Pattern.quote(p.getKey()).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
            routes.add(new Route(p.getKey(), Pattern.compile(regex), p.getValue()));
        }
    }

    /** The contract of the service at {@code base} (scheme, host and port), read once; empty if it has no document. */
    public static Optional<OpenApiContract> of(URI base) {
        String key = base.getScheme() + "://" + base.getAuthority();
        return BY_BASE.computeIfAbsent(key, k -> {
            try {
                HttpResponse<String> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(k + "/q/openapi?format=json"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200
                        ? Optional.of(new OpenApiContract(JSON.readTree(r.body())))
                        : Optional.empty();
            } catch (Exception e) {
                return Optional.empty();
            }
        });
    }

    /** Forgets the documents read (a test that restarts a service with another document). */
    public static void forget() {
        BY_BASE.clear();
    }

    /**
     * What is wrong with this answer to {@code method path} (path without query), by the document: empty when
     * nothing is. {@code contentType} and {@code body} may be null or empty.
     */
    public List<String> check(String method, String path, int status, String contentType, String body) {
        List<String> bad = new ArrayList<>();
        Route route = route(normalize(path)); // as the server routes it: "/v1/a/../b" is "/v1/b"
        if (route == null) {
            return bad; // not described (unknown paths answer 404, /q/... and / are not the API)
        }
        String where = method + " " + route.template() + " → " + status;
        JsonNode op = route.item().path(method.toLowerCase());
        if (op.isMissingNode()) {
            if (status != 405 && status != 404) {
                bad.add(where + ": the method is not in the document, yet the answer is not 405");
            }
            return bad;
        }
        JsonNode responses = op.path("responses");
        String code = String.valueOf(status);
        JsonNode response = responses.has(code)
                ? responses.get(code)
                : responses.has(code.charAt(0) + "XX")
                        ? responses.get(code.charAt(0) + "XX")
                        : responses.get("default");
        if (response == null) {
            bad.add(where + ": status not declared (declared: " + fieldNames(responses) + ")");
            return bad;
        }
        response = resolve(response);
        JsonNode content = response.path("content");
        boolean hasBody = body != null && !body.isEmpty();
        if (!hasBody) {
            if (!content.isMissingNode() && !content.isEmpty() && status != 204 && !"HEAD".equals(method)) {
                bad.add(where + ": no body, but the document declares " + fieldNames(content));
            }
            return bad;
        }
        String media =
                contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
        if (content.isMissingNode() || content.isEmpty()) {
            bad.add(where + ": a " + media + " body, but the document declares none");
            return bad;
        }
        String key = mediaKey(content, media);
        if (key == null) {
            bad.add(where + ": Content-Type '" + media + "' not declared (declared: " + fieldNames(content) + ")");
            return bad;
        }
        if (!media.contains("json") || !content.get(key).has("schema")) {
            return bad; // event streams, text
        }
        JsonNode declared = content.get(key).get("schema");
        // the schema alone, its local references pointed at the whole document
        String text = declared.toString().replace("\"$ref\":\"#/", "\"$ref\":\"" + DOC_URI + "#/");
        Schema schema = compiled.computeIfAbsent(
                text,
                t -> schemas.getSchema(
                        SchemaLocation.of("https://suite.test/schemas/" + ids.incrementAndGet()), t, InputFormat.JSON));
        List<Error> errors;
        try {
            errors = schema.validate(body, InputFormat.JSON);
        } catch (RuntimeException e) {
            bad.add(where + ": body is not JSON (" + e + "): " + trim(body));
            return bad;
        }
        for (Error e : errors) {
            bad.add(where + ": " + e.getInstanceLocation() + " " + e.getMessage() + " in " + trim(body));
        }
        return bad;
    }

    private Route route(String path) {
        Route best = null;
        for (Route r : routes) {
            if (r.pattern().matcher(path).matches()) {
                // a literal segment wins over a template ("/v1/locks/stream" over "/v1/locks/{id}")
                if (best == null
                        || r.template().chars().filter(c -> c == '{').count()
                                < best.template().chars().filter(c -> c == '{').count()) {
                    best = r;
                }
            }
        }
        return best;
    }

    private static String normalize(String path) {
        try {
            return URI.create(path).normalize().getRawPath();
        } catch (IllegalArgumentException e) {
            return path;
        }
    }

    private static String mediaKey(JsonNode content, String media) {
        if (content.has(media)) {
            return media;
        }
        for (Iterator<String> it = content.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("*/*") || (k.endsWith("/*") && media.startsWith(k.substring(0, k.length() - 1)))) {
                return k;
            }
        }
        return null;
    }

    private JsonNode resolve(JsonNode node) {
        for (int i = 0; i < 10 && node.has("$ref"); i++) {
            node = doc.at(node.get("$ref").asText().replaceFirst("^#", ""));
        }
        return node;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String trim(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
