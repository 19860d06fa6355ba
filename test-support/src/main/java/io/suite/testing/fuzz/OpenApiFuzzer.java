package io.suite.testing.fuzz;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.junit.jupiter.api.Assertions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.suite.testing.Tokens;
import io.suite.testing.openapi.OpenApiContract;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.sessions.JqwikSession;

/**
 * Sends requests generated from a service's own OpenAPI document (GET /q/openapi) to the running
 * service and checks DESIGN.md "Bad input": no answer is a 5xx, and every 4xx is
 * {@code application/problem+json} with a suite {@code type} (a {@code .../validation} one with
 * {@code violations}). Requests are valid ones, valid ones with one thing broken (a wrong JSON type,
 * a missing or an extra field, a boundary or huge number, odd Unicode: NUL, lone surrogates, RTL marks,
 * huge text), and bodies that are not JSON objects. Leaf values come from jqwik arbitraries with their
 * edge cases; a fixed seed makes a run repeatable. Every answer is also checked against the document
 * ({@link OpenApiContract}: status, Content-Type and body schema), and, given a {@link #stateFingerprint},
 * that a 4xx wrote nothing.
 * <p>
 * System properties: {@code fuzz.seed} (default 18), {@code fuzz.tries} (requests per operation,
 * default 25). bench/README.md tells how to run it longer.
 */
public final class OpenApiFuzzer {
    public static final String SUITE_TYPES = "https://suite.dev/problems/";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Past suite.input.max-request-line-length (414 problem), under Vert.x's raised 64 KiB (a bare 414). */
    private static final int MAX_URI = 8000;

    /** One request as sent, for the report and for {@link #skip}. */
    public record Request(String method, String path, String template, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            String b = body == null ? "" : " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
            return method + " " + (path.length() > 300 ? path.substring(0, 300) + "…" : path) + b;
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, Integer> statuses = new TreeMap<>();
    /** Milliseconds spent per operation (request and fingerprints), so a slow run shows where its time went. */
    private final Map<String, Long> millis = new TreeMap<>();

    private Predicate<Request> skip = r -> false;
    private Set<String> skipPaths = Set.of();
    private final Map<String, Long> numberCaps = new LinkedHashMap<>();
    private Supplier<String> fingerprint;
    private OpenApiContract contract;
    private final Random random;
    private final int tries;
    private int sent;

    public OpenApiFuzzer(URI base) {
        this.base = base;
        this.random = new Random(Long.getLong("fuzz.seed", 18));
        this.tries = Integer.getInteger("fuzz.tries", 25);
    }

    /** Requests not to send (e.g. one that would start a real backup): the test says why. */
    public OpenApiFuzzer skip(Predicate<Request> skip) {
        this.skip = skip;
        return this;
    }

    /** Paths (templates as in the document) left out, e.g. an endless event stream. */
    public OpenApiFuzzer skipPaths(Set<String> templates) {
        this.skipPaths = templates;
        return this;
    }

    /** Numbers in a field of this name stay at most {@code max} (e.g. a lock wait), so that no request waits long. */
    public OpenApiFuzzer capNumber(String field, long max) {
        numberCaps.put(field, max);
        return this;
    }

    /**
     * What the service has stored, as text that changes with any write (e.g. a count and hash of its rows):
     * taken before and after each request, and a 4xx that changed it is a failure ("a 4xx writes nothing").
     * It must not change by itself while nothing is sent (leave out what expires or ticks).
     */
    public OpenApiFuzzer stateFingerprint(Supplier<String> fingerprint) {
        this.fingerprint = fingerprint;
        return this;
    }

    /** Runs every operation {@code fuzz.tries} times; answers what went wrong (empty when nothing did). */
    public List<String> run() throws Exception {
        JqwikSession.start(); // jqwik's generators outside a jqwik property
        try {
            return runAll();
        } finally {
            JqwikSession.finish();
        }
    }

    private List<String> runAll() throws Exception {
        JsonNode doc =
                JSON.readTree(send("GET", base.resolve("/q/openapi?format=json").toString(), Map.of(), null)
                        .body());
        contract = new OpenApiContract(doc);
        Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> p = paths.next();
            if (!p.getKey().startsWith("/v1") || skipPaths.contains(p.getKey())) {
                continue;
            }
            Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields();
            while (ops.hasNext()) {
                Map.Entry<String, JsonNode> op = ops.next();
                String method = op.getKey().toUpperCase();
                if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                    continue;
                }
                // an operation without parameters or body is one request however often it is sent
                boolean takesInput = p.getValue().path("parameters").size() > 0
                        || op.getValue().path("parameters").size() > 0
                        || op.getValue().has("requestBody");
                for (int i = 0; i < (takesInput ? tries : 1); i++) {
                    check(request(doc, method, p.getKey(), p.getValue(), op.getValue()));
                }
            }
        }
        return failures;
    }

    /** Runs ({@link #run()}), logs the summary for {@code service}, and fails listing every bad answer. */
    public void assertEveryAnswerIsGood(String service) throws Exception {
        List<String> bad = run();
        System.out.println(service + " fuzz: " + summary());
        Assertions.assertTrue(bad.isEmpty(), bad.size() + " bad answers:\n" + String.join("\n", bad));
    }

    /** How many requests were sent, and the count of each status, for the test's log. */
    public String summary() {
        String slowest = millis.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(5)
                .map(e -> e.getKey() + " " + e.getValue() + " ms")
                .collect(java.util.stream.Collectors.joining(", "));
        return sent + " requests, statuses " + statuses + "; slowest operations: " + slowest;
    }

    private Request request(JsonNode doc, String method, String template, JsonNode pathItem, JsonNode op) {
        String path = template;
        StringBuilder query = new StringBuilder();
        Map<String, String> headers = new LinkedHashMap<>();
        List<JsonNode> params = new ArrayList<>();
        pathItem.path("parameters").forEach(params::add);
        op.path("parameters").forEach(params::add);
        for (JsonNode param : params) {
            String name = param.path("name").asText();
            String in = param.path("in").asText();
            if (in.equals("path")) {
                String value = encode(pathValue());
                path = path.replace("{" + name + "}", value.length() > 2000 ? value.substring(0, 2000) : value);
            } else if (in.equals("query") && random.nextInt(3) > 0) {
                String pair = encode(name) + "=" + encode(scalarText(resolve(doc, param.path("schema")), name));
                // Vert.x answers a request line over its 64 KiB with a bare 414 before any route runs
                // (problems/README.md)
                if (path.length() + query.length() + pair.length() < MAX_URI) {
                    query.append(query.length() == 0 ? "?" : "&").append(pair);
                }
            } else if (in.equals("header") && random.nextBoolean()) {
                headers.put(name, headerValue());
            }
        }
        String body = null;
        JsonNode schema =
                op.path("requestBody").path("content").path("application/json").path("schema");
        if (!schema.isMissingNode()) {
            headers.put("Content-Type", "application/json");
            body = body(doc, schema);
        }
        return new Request(method, path + query, template, headers, body);
    }

    private void check(Request r) {
        if (skip.test(r)) {
            return;
        }
        long start = System.nanoTime();
        try {
            sendAndCheck(r);
        } finally {
            millis.merge(r.method() + " " + r.template(), (System.nanoTime() - start) / 1_000_000, Long::sum);
        }
    }

    private void sendAndCheck(Request r) {
        HttpResponse<String> answer;
        String before = fingerprint == null ? null : fingerprint.get();
        try {
            answer = send(r.method(), base.resolve(r.path()).toString(), r.headers(), r.body());
        } catch (IllegalArgumentException e) {
            return; // the JDK client refuses to send it (e.g. a header value): not a request the service can see
        } catch (Exception e) {
            failures.add(r + " → no answer: " + e);
            return;
        }
        sent++;
        int status = answer.statusCode();
        statuses.merge(String.valueOf(status), 1, Integer::sum);
        for (String broken : contract.check(
                r.method(),
                URI.create(base.resolve(r.path()).toString()).getRawPath(),
                status,
                answer.headers().firstValue("Content-Type").orElse(null),
                answer.body())) {
            failures.add(r + " → " + broken);
        }
        if (status >= 400 && status < 500 && fingerprint != null) {
            String after = fingerprint.get();
            if (!after.equals(before)) {
                failures.add(r + " → " + status + " yet it wrote: state " + before + " became " + after);
            }
        }
        if (status >= 500) {
            failures.add(r + " → " + status + " " + trim(answer.body()));
        } else if (status >= 400) {
            String type = answer.headers().firstValue("Content-Type").orElse("");
            if (!type.startsWith("application/problem+json")) {
                failures.add(r + " → " + status + " with Content-Type '" + type + "' and body '" + trim(answer.body())
                        + "'");
                return;
            }
            try {
                JsonNode problem = JSON.readTree(answer.body());
                String t = problem.path("type").asText("");
                if (!t.startsWith(SUITE_TYPES)) {
                    failures.add(r + " → " + status + " type '" + t + "' is not a suite type");
                } else if (t.endsWith("/validation")
                        && problem.path("violations").isEmpty()) {
                    failures.add(r + " → " + status + " validation problem names no field: " + trim(answer.body()));
                }
            } catch (Exception e) {
                failures.add(r + " → " + status + " body is not JSON: " + trim(answer.body()));
            }
        }
    }

    private HttpResponse<String> send(String method, String uri, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
        headers.forEach(b::header);
        if (!headers.containsKey("Authorization")) {
            b.header("Authorization", Tokens.bearer()); // past the door: the fuzz is for what lies behind it
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---- bodies

    private String body(JsonNode doc, JsonNode schema) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return pick(NOT_OBJECTS);
        }
        Object value = valid(doc, resolve(doc, schema), "", 0);
        if (kind <= 6) {
            value = mutate(doc, value, 0);
        }
        return write(value);
    }

    /** Bodies that are no JSON object, or no JSON at all. */
    private static final List<String> NOT_OBJECTS = List.of(
            "[1,2]",
            "\"x\"",
            "42",
            "true",
            "null",
            "",
            "{",
            "}",
            "{\"a\":1} x",
            "[",
            "{\"a\":\"\\u0000\"}",
            "{\"a\":1,\"a\":2}",
            "[".repeat(3000) + "]".repeat(3000),
            "\u0000",
            "{\"\\ud800\":1}",
            "1e999999999",
            "-",
            "{\"a\":01}",
            "{'a':1}");

    /** A value the schema allows, leaves drawn from jqwik arbitraries (with their edge cases). */
    private Object valid(JsonNode doc, JsonNode schema, String name, int depth) {
        schema = resolve(doc, schema);
        if (schema.has("enum")) {
            List<Object> values = new ArrayList<>();
            schema.get("enum").forEach(v -> values.add(v.isTextual() ? v.asText() : v.numberValue()));
            return values.get(random.nextInt(values.size()));
        }
        String type = type(schema);
        JsonNode resolved = schema;
        switch (type) {
            case "object": {
                Map<String, Object> out = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> props =
                        schema.path("properties").fields();
                while (props.hasNext()) {
                    Map.Entry<String, JsonNode> p = props.next();
                    if (depth < 4 && (random.nextInt(4) > 0 || isRequired(schema, p.getKey()))) {
                        out.put(p.getKey(), valid(doc, p.getValue(), p.getKey(), depth + 1));
                    }
                }
                if (!schema.has("properties") && depth < 4) {
                    // a map (e.g. lock fields): a few entries of scalars or conditions
                    for (int i = random.nextInt(3); i > 0; i--) {
                        out.put(pick(List.of("warehouse", "item", "period", "k")), scalarOrCondition());
                    }
                }
                return out;
            }
            case "array": {
                List<Object> out = new ArrayList<>();
                for (int i = 1 + random.nextInt(3); i > 0 && depth < 4; i--) {
                    out.add(valid(doc, schema.path("items"), name, depth + 1));
                }
                return out;
            }
            case "integer":
                return cap(name, inRange(resolved, 0).orElseGet(() -> draw(integers(resolved))));
            case "number":
                return cap(name, inRange(resolved, 3).orElseGet(() -> draw(decimals())));
            case "boolean":
                return random.nextBoolean();
            default:
                return scalarText(schema, name);
        }
    }

    /** Half the time, a number within the schema's minimum and maximum (when it has them). */
    private Optional<Object> inRange(JsonNode schema, int scale) {
        if (!(schema.has("minimum") || schema.has("maximum")) || random.nextBoolean()) {
            return Optional.empty();
        }
        BigDecimal min = schema.has("minimum") ? schema.get("minimum").decimalValue() : BigDecimal.ZERO;
        BigDecimal max =
                schema.has("maximum") ? schema.get("maximum").decimalValue() : min.add(BigDecimal.valueOf(1000));
        BigDecimal top = max.min(min.add(BigDecimal.valueOf(100))); // small values: a document then may post
        return Optional.of(draw(Arbitraries.bigDecimals().between(min, top).ofScale(scale)));
    }

    /** The value with one thing broken somewhere inside it. */
    private Object mutate(JsonNode doc, Object value, int depth) {
        if (value instanceof Map<?, ?> m && !m.isEmpty() && random.nextInt(4) > 0) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            List<String> keys = new ArrayList<>(map.keySet());
            String key = keys.get(random.nextInt(keys.size()));
            switch (random.nextInt(4)) {
                case 0 -> map.remove(key);
                case 1 -> map.put(pick(List.of("extra", "\u0000", "\u202e", "x".repeat(300))), breaker());
                default -> map.put(key, mutate(doc, map.get(key), depth + 1));
            }
            return map;
        }
        if (value instanceof List<?> l && !l.isEmpty() && random.nextInt(3) > 0) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            int i = random.nextInt(list.size());
            list.set(i, mutate(doc, list.get(i), depth + 1));
            return list;
        }
        return breaker();
    }

    /** A value of the wrong JSON type, a boundary number, or odd text. */
    private Object breaker() {
        return switch (random.nextInt(5)) {
            case 0 ->
                pick(List.<Object>of(List.of(1, 2), "x", 42, true, Map.of(), List.of(), Map.of("post", Map.of())));
            case 1 -> draw(decimals());
            case 2 -> draw(Arbitraries.longs());
            case 3 -> JsonLiteral.NULL;
            default -> draw(oddText());
        };
    }

    private Object scalarOrCondition() {
        return switch (random.nextInt(4)) {
            case 0 -> Map.of("in", List.of(draw(oddText()), "B"));
            case 1 -> Map.of("from", "2026-01-01", "to", "2026-01-31");
            case 2 -> draw(decimals());
            default -> draw(oddText());
        };
    }

    private Object cap(String name, Object number) {
        Long max = numberCaps.get(name);
        if (max == null || !(number instanceof Number n)) {
            return number;
        }
        return new BigDecimal(n.toString()).compareTo(BigDecimal.valueOf(max)) > 0 ? max : number;
    }

    /** Text for a string field or parameter: dates for date-like names, else odd or plain text. */
    private String scalarText(JsonNode schema, String name) {
        String format = schema.path("format").asText("");
        if (format.equals("date") || name.equals("from") || name.equals("to") || name.equals("date")) {
            return pick(DATES);
        }
        if (type(schema).equals("integer")) {
            return String.valueOf(draw(integers(schema)));
        }
        if (schema.has("enum") && random.nextBoolean()) {
            return schema.get("enum")
                    .get(random.nextInt(schema.get("enum").size()))
                    .asText();
        }
        return random.nextInt(3) == 0 ? draw(Arbitraries.strings().alpha().ofMaxLength(12)) : draw(oddText());
    }

    private static final List<String> DATES = List.of(
            "2026-11-22",
            "9999-12-31",
            "0001-01-01",
            "+5880000-01-01",
            "+11761248-01-01",
            "0000-01-01",
            "-0001-01-01",
            "2026-02-30",
            "10000-01-01",
            "2026-1-1",
            "today",
            "");

    private static Arbitrary<String> oddText() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "\u0000",
                        "a\u0000b",
                        "\ud800",
                        "x\udc00",
                        "\u202eRTL\u202c",
                        "שלום עולם",
                        "😀",
                        "\u0007",
                        "\t\n",
                        " ",
                        "",
                        "' OR 1=1 --",
                        "%00",
                        "\uffff",
                        "\u0085",
                        "A".repeat(5000),
                        "é".repeat(100_000),
                        "RECEIPT",
                        "auto",
                        "require",
                        "W1"),
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20));
    }

    private static Arbitrary<Object> integers(JsonNode schema) {
        Arbitrary<Long> all = Arbitraries.longs();
        Arbitrary<Long> near = Arbitraries.longs().between(-2, 2000);
        Arbitrary<Object> big = Arbitraries.of(
                new BigDecimal("1e20"),
                new BigDecimal("-1e20"),
                new BigDecimal("1.5"),
                new BigDecimal("1e400"),
                new BigDecimal("600001"),
                new BigDecimal("999"),
                new BigDecimal("0"));
        return Arbitraries.oneOf(all.map(l -> (Object) l), near.map(l -> (Object) l), big);
    }

    private static Arbitrary<Object> decimals() {
        return Arbitraries.oneOf(
                Arbitraries.bigDecimals().map(d -> (Object) d),
                Arbitraries.bigDecimals()
                        .between(BigDecimal.ZERO, new BigDecimal("1000"))
                        .ofScale(3)
                        .map(d -> (Object) d),
                Arbitraries.of(
                        new BigDecimal("1e999"),
                        new BigDecimal("-1e-999"),
                        new BigDecimal("999999999999.999"),
                        new BigDecimal("1000000000000"),
                        new BigDecimal("0.0001"),
                        new BigDecimal("1" + "0".repeat(900)),
                        Double.MAX_VALUE,
                        -0.0,
                        Long.MIN_VALUE));
    }

    private String pathValue() {
        return pick(List.of(
                UUID.randomUUID().toString(),
                "x",
                "\u0000",
                "..",
                "%2F",
                "😀",
                "a".repeat(3000),
                "\u202e",
                "00000000-0000-0000-0000-000000000000",
                "-1",
                "9223372036854775808"));
    }

    private String headerValue() {
        return pick(List.of("k-" + random.nextInt(1000), "", " ", "a".repeat(300), "é", "x".repeat(5000)));
    }

    private <T> T draw(Arbitrary<T> arbitrary) {
        return arbitrary.generator(1000, true).next(random).value();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static boolean isRequired(JsonNode schema, String field) {
        for (JsonNode r : schema.path("required")) {
            if (r.asText().equals(field)) {
                return true;
            }
        }
        return false;
    }

    private static String type(JsonNode schema) {
        JsonNode t = schema.path("type");
        if (t.isArray()) {
            for (JsonNode x : t) {
                if (!x.asText().equals("null")) {
                    return x.asText();
                }
            }
        }
        if (t.isTextual()) {
            return t.asText();
        }
        return schema.has("properties") || schema.has("additionalProperties") ? "object" : "string";
    }

    private static JsonNode resolve(JsonNode doc, JsonNode schema) {
        for (int i = 0; i < 10 && schema.has("$ref"); i++) {
            String ref = schema.get("$ref").asText().replaceFirst("^#", "");
            schema = doc.at(ref);
        }
        if (schema.has("allOf") && schema.get("allOf").size() == 1) {
            return resolve(doc, schema.get("allOf").get(0));
        }
        return schema;
    }

    // ---- JSON text: every non-ASCII character escaped, so that lone surrogates reach the service as sent

    private enum JsonLiteral {
        NULL
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v) {
        if (v == null || v == JsonLiteral.NULL) {
            out.append("null");
        } else if (v instanceof String s) {
            out.append('"');
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 || c > 0x7e) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        } else if (v instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                write(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(out, l.get(i));
            }
            out.append(']');
        } else {
            write(out, v.toString());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String trim(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
