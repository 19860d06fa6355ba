package io.suite.locks;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.suite.problems.Text;

/**
 * Validates request bodies and normalises lock items once, in Java, so that Redis only sees
 * canonical items: every bad input is a 400 before anything is locked.
 */
final class ItemParser {
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Orders set values: numbers before strings, then by value. */
    private static final Comparator<Comparable<?>> VALUE_ORDER = (a, b) -> {
        boolean na = a instanceof BigDecimal;
        boolean nb = b instanceof BigDecimal;
        return na != nb ? (na ? -1 : 1) : Conflicts.compare(a, b);
    };

    record LockRequest(Long timeoutMs, List<LockItem> items) {}

    /** {@code lock}: items to lock at once (begin with items), or null. */
    record Begin(String owner, String label, Long leaseMs, LockRequest lock) {}

    private final LockConfig config;

    ItemParser(LockConfig config) {
        this.config = config;
    }

    static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw Problems.badInput("body", "is not well-formed JSON: " + e.getOriginalMessage());
        }
    }

    Begin begin(String body) {
        JsonNode root = object(parse(body), "body");
        only(root, "body", Set.of("owner", "label", "leaseMs", "timeoutMs", "items"));
        String owner = text(root, "owner", config.maxOwnerLength());
        String label = text(root, "label", config.maxLabelLength());
        Long lease = integer(root, "leaseMs");
        if (lease != null && (lease < 1000 || lease > 600_000)) {
            throw Problems.badInput("leaseMs", "must be from 1000 to 600000, was " + lease);
        }
        if (!root.has("items") && root.has("timeoutMs")) {
            throw Problems.badInput("timeoutMs", "needs items: it is the wait of the locks taken at begin");
        }
        return new Begin(owner, label, lease, root.has("items") ? lockRequest(root) : null);
    }

    LockRequest lockRequest(String body) {
        JsonNode root = object(parse(body), "body");
        only(root, "body", Set.of("timeoutMs", "items"));
        return lockRequest(root);
    }

    private LockRequest lockRequest(JsonNode root) {
        Long timeout = integer(root, "timeoutMs");
        if (timeout != null && (timeout < 0 || timeout > config.maxWaitTimeout().toMillis())) {
            throw Problems.badInput(
                    "timeoutMs", "must be from 0 to " + config.maxWaitTimeout().toMillis() + ", was " + timeout);
        }
        JsonNode items = root.get("items");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw Problems.badInput("items", "must be a non-empty array");
        }
        List<LockItem> out = new ArrayList<>();
        int i = 0;
        for (JsonNode item : items) {
            String where = "items[" + i++ + "]";
            object(item, where);
            only(item, where, Set.of("space", "mode", "fields", "rows"));
            String space = name(item.get("space"), where + ".space");
            Mode mode = mode(item.get("mode"), where + ".mode");
            JsonNode fields = item.get("fields");
            JsonNode rows = item.get("rows");
            if (fields != null && rows != null) {
                throw Problems.badInput(where, "give fields or rows, not both");
            }
            if (rows != null) {
                if (!rows.isArray() || rows.isEmpty()) {
                    throw Problems.badInput(where + ".rows", "must be a non-empty array of objects");
                }
                int r = 0;
                for (JsonNode row : rows) {
                    String rw = where + ".rows[" + r++ + "]";
                    object(row, rw);
                    if (row.isEmpty()) {
                        throw Problems.badInput(rw, "names no field");
                    }
                    SortedMap<String, Condition> conditions = new TreeMap<>();
                    row.fields()
                            .forEachRemaining(e -> conditions.put(
                                    fieldName(e.getKey(), rw),
                                    new Condition.Equals(scalar(e.getValue(), rw + "." + e.getKey()))));
                    add(out, new LockItem(space, mode, conditions, canonical(conditions)));
                }
            } else {
                SortedMap<String, Condition> conditions = new TreeMap<>();
                if (fields != null) {
                    object(fields, where + ".fields");
                    Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        String at = where + ".fields." + e.getKey();
                        Condition c = condition(e.getValue(), at);
                        if (c != null) {
                            conditions.put(fieldName(e.getKey(), where), c);
                        }
                    }
                }
                add(out, new LockItem(space, mode, conditions, canonical(conditions)));
            }
        }
        return new LockRequest(timeout, out);
    }

    private void add(List<LockItem> out, LockItem item) {
        if (out.size() >= config.maxItemsPerRequest()) {
            throw Problems.badInput(
                    "items",
                    "more than " + config.maxItemsPerRequest() + " items (rows count one each) in one request");
        }
        out.add(item);
    }

    /** A condition, normalised; null when it allows every value (an open range). */
    private Condition condition(JsonNode node, String at) {
        if (!node.isObject()) {
            return new Condition.Equals(scalar(node, at));
        }
        if (node.has("in")) {
            only(node, at, Set.of("in"));
            JsonNode values = node.get("in");
            if (!values.isArray() || values.isEmpty()) {
                throw Problems.badInput(at + ".in", "must be a non-empty array of strings or numbers");
            }
            if (values.size() > config.maxInValues()) {
                throw Problems.badInput(at + ".in", "has more than " + config.maxInValues() + " values");
            }
            TreeSet<Comparable<?>> set = new TreeSet<>(VALUE_ORDER);
            int i = 0;
            for (JsonNode v : values) {
                set.add(scalar(v, at + ".in[" + i++ + "]"));
            }
            return set.size() == 1 ? new Condition.Equals(set.first()) : new Condition.AnyOf(List.copyOf(set));
        }
        only(node, at, Set.of("from", "to"));
        Comparable<?> from = node.has("from") ? scalar(node.get("from"), at + ".from") : null;
        Comparable<?> to = node.has("to") ? scalar(node.get("to"), at + ".to") : null;
        if (from == null && to == null) {
            return null;
        }
        if (from != null && to != null) {
            if (from.getClass() != to.getClass()) {
                throw Problems.badInput(at, "from and to must both be numbers or both strings");
            }
            int order = Conflicts.compare(from, to);
            if (order > 0) {
                throw Problems.badInput(at, "from is after to");
            }
            if (order == 0) {
                return new Condition.Equals(from);
            }
        }
        return new Condition.Range(from, to);
    }

    private Comparable<?> scalar(JsonNode v, String at) {
        if (v.isTextual()) {
            String wrong = Text.name(v.textValue(), config.maxNameLength());
            if (wrong != null) {
                throw Problems.badInput(at, wrong);
            }
            return v.textValue();
        }
        if (v.isNumber()) {
            BigDecimal d = v.decimalValue().stripTrailingZeros();
            // At most 15 significant digits: then Lua's doubles order and equate values exactly as Java does.
            if (d.precision() > 15 || d.scale() > 15 || d.scale() < -15) {
                throw Problems.badInput(at, "numbers may have at most 15 significant digits and 15 decimals");
            }
            return d.signum() == 0 ? BigDecimal.ZERO : d;
        }
        throw Problems.badInput(
                at, "must be a string or a number (or, in fields, {\"in\":[...]} or {\"from\":..,\"to\":..})");
    }

    private String name(JsonNode v, String at) {
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw Problems.badInput(at, "must be a non-empty string");
        }
        return checkName(v.textValue(), at);
    }

    private String fieldName(String name, String at) {
        if (name.isEmpty()) {
            throw Problems.badInput(at, "a field name is empty");
        }
        return checkName(name, at + "." + name);
    }

    private String checkName(String name, String at) {
        String wrong = Text.name(name, config.maxNameLength());
        if (wrong != null) {
            throw Problems.badInput(at, wrong);
        }
        return name;
    }

    private static Mode mode(JsonNode v, String at) {
        if (v == null) {
            return Mode.EXCLUSIVE;
        }
        if (v.isTextual()) {
            try {
                return Mode.valueOf(v.textValue());
            } catch (IllegalArgumentException e) {
                // falls through to the problem below
            }
        }
        throw Problems.badInput(at, "must be SHARED or EXCLUSIVE");
    }

    private static JsonNode object(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw Problems.badInput(at, "must be a JSON object");
        }
        return node;
    }

    private static void only(JsonNode node, String at, Set<String> allowed) {
        node.fieldNames().forEachRemaining(n -> {
            if (!allowed.contains(n)) {
                throw Problems.badInput(
                        at + "." + n, "is not a property here (allowed: " + new TreeSet<>(allowed) + ")");
            }
        });
    }

    private static String text(JsonNode root, String field, int max) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw Problems.badInput(field, "must be a string");
        }
        String wrong = Text.prose(v.textValue(), max);
        if (wrong != null) {
            throw Problems.badInput(field, wrong);
        }
        return v.textValue();
    }

    private static Long integer(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw Problems.badInput(field, "must be an integer");
        }
        return v.longValue();
    }

    /** Canonical JSON of normalised conditions: sorted fields, sorted sets, plain numbers. */
    static String canonical(SortedMap<String, Condition> conditions) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Condition> e : conditions.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, e.getKey()).append(':');
            Condition c = e.getValue();
            if (c instanceof Condition.Equals eq) {
                value(out, eq.value());
            } else if (c instanceof Condition.AnyOf any) {
                out.append("{\"in\":[");
                for (int i = 0; i < any.values().size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(out, any.values().get(i));
                }
                out.append("]}");
            } else {
                Condition.Range r = (Condition.Range) c;
                out.append('{');
                if (r.from() != null) {
                    value(out.append("\"from\":"), r.from());
                }
                if (r.to() != null) {
                    value(out.append(r.from() != null ? ",\"to\":" : "\"to\":"), r.to());
                }
                out.append('}');
            }
        }
        return out.append('}').toString();
    }

    private static void value(StringBuilder out, Comparable<?> v) {
        if (v instanceof BigDecimal d) {
            out.append(d.toPlainString());
        } else {
            string(out, (String) v);
        }
    }

    private static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        return out.append('"');
    }
}
