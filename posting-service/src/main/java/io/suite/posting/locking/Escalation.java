package io.suite.posting.locking;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What lock-service made of a request it escalated: {@code fields} is the cover kept (e.g.
 * {@code {"warehouse":"W1"}}), empty for the whole space.
 */
public record Escalation(String space, Map<String, Object> fields) {

    /**
     * lock-service's {@code escalated}: {@code [{"space","fields"}]} (DESIGN.md), or the older list of space
     * names (each then the whole space); null or anything else: none.
     */
    public static List<Escalation> parse(Object escalated) {
        List<Escalation> out = new ArrayList<>();
        if (!(escalated instanceof List<?> list)) {
            return out;
        }
        for (Object e : list) {
            if (e instanceof String space) {
                out.add(new Escalation(space, Map.of()));
            } else if (e instanceof Map<?, ?> m && m.get("space") instanceof String space) {
                Map<String, Object> fields = new LinkedHashMap<>();
                if (m.get("fields") instanceof Map<?, ?> f) {
                    f.forEach((k, v) -> fields.put(String.valueOf(k), v));
                }
                out.add(new Escalation(space, fields));
            }
        }
        return out;
    }

    public boolean wholeSpace() {
        return fields.isEmpty();
    }

    /** As GET /v1/posting-runs/{id} shows it. */
    public Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("space", space);
        v.put("fields", fields);
        return v;
    }
}
