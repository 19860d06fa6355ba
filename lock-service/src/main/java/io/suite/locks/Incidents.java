package io.suite.locks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The lock incidents log (DESIGN "Lock incidents"): WAIT, TIMEOUT, DEADLOCK, ESCALATION (and EXPIRY, a
 * lease that ran out). Each is written by one script call where it is known: appended to a Redis
 * stream kept for {@code lock.incidents-retention} and published to every replica (the live streams
 * hear it through {@link #heard}); {@link IncidentRelay} moves the stream to Kafka. Reporting never
 * waits: the lock call's answer does not depend on it.
 */
@ApplicationScoped
public class Incidents {
    private static final Logger LOG = Logger.getLogger(Incidents.class);
    static final Set<String> KINDS = Set.of("WAIT", "TIMEOUT", "DEADLOCK", "ESCALATION", "EXPIRY");
    /** Entries read from the stream per round trip of a query. */
    private static final int PAGE = 500;

    private final LockScript script;
    private final LockStore store;
    private final LockMetrics metrics;
    private final LockConfig config;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    Incidents(LockScript script, LockStore store, LockMetrics metrics, LockConfig config) {
        this.script = script;
        this.store = store;
        this.metrics = metrics;
        this.config = config;
    }

    /** What one incident says; unknown parts are empty (no fields, 0 ms, no blockers, no cycle). */
    record Incident(
            String kind,
            String tx,
            LockScript.Named who,
            String space,
            JsonNode fields,
            long waitedMs,
            ArrayNode blockedBy,
            ArrayNode cycle,
            ArrayNode escalated) {
        static Incident of(String kind, String tx, LockScript.Named who, String space) {
            return new Incident(kind, tx, who, space, null, 0, null, null, null);
        }

        Incident fields(JsonNode f) {
            return new Incident(kind, tx, who, space, f, waitedMs, blockedBy, cycle, escalated);
        }

        Incident waited(long ms) {
            return new Incident(kind, tx, who, space, fields, ms, blockedBy, cycle, escalated);
        }

        Incident blockedBy(ArrayNode b) {
            return new Incident(kind, tx, who, space, fields, waitedMs, b, cycle, escalated);
        }

        Incident cycle(ArrayNode c) {
            return new Incident(kind, tx, who, space, fields, waitedMs, blockedBy, c, escalated);
        }

        Incident escalated(ArrayNode e) {
            return new Incident(kind, tx, who, space, fields, waitedMs, blockedBy, cycle, e);
        }

        /** The stored body: every field but {@code at} (the entry's id). */
        ObjectNode body() {
            ObjectNode i = ItemParser.JSON.createObjectNode();
            i.put("space", space).put("transaction", tx);
            i.put("principal", who.principal()).put("owner", who.owner()).put("label", who.label());
            i.set("fields", fields == null ? ItemParser.JSON.createObjectNode() : fields);
            i.put("waitedMs", waitedMs);
            i.set("blockedBy", blockedBy == null ? ItemParser.JSON.createArrayNode() : blockedBy);
            i.set("cycle", cycle == null ? ItemParser.JSON.createArrayNode() : cycle);
            i.set("escalated", escalated == null ? ItemParser.JSON.createArrayNode() : escalated);
            return i;
        }
    }

    /** Records an incident, without waiting. {@code req}: a wait's request, whose blockers the script knows. */
    void report(Incident i, String req) {
        metrics.incident(i.kind(), i.space());
        script.incident(
                        i.kind(),
                        i.space(),
                        i.body().toString(),
                        req,
                        config.incidentsRetention().toMillis())
                .subscribe()
                .with(id -> {}, e -> LOG.debugf("incident not recorded: %s", e.toString()));
    }

    /** A wait that ended ({@code outcome}: granted, timeout, deadlock) is a WAIT incident when it lasted long. */
    void waitEnded(String tx, LockScript.Named who, String space, JsonNode fields, String req, long waitedMs) {
        if (waitedMs > config.logWaitsOver().toMillis()) {
            report(Incident.of("WAIT", tx, who, space).fields(fields).waited(waitedMs), req);
        }
    }

    // ------------------------------------------------------------------ reading

    /** The API's JSON of a stream entry: kind, at (the id's time), then the body; blockedBy from the script when it filled it in. */
    static ObjectNode json(String id, String kind, String body, String blockedBy) {
        ObjectNode out = ItemParser.JSON.createObjectNode();
        out.put("kind", kind);
        out.put("at", Instant.ofEpochMilli(idTime(id)).toString());
        JsonNode b = ItemParser.parse(body);
        if (b instanceof ObjectNode o) {
            out.setAll(o);
        }
        if (blockedBy != null) {
            out.set("blockedBy", ItemParser.parse(blockedBy));
        }
        if (!out.has("principal")) {
            out.put("principal", ""); // recorded before principals were kept: every field is present
        }
        return out;
    }

    static long idTime(String id) {
        int dash = id.indexOf('-');
        return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    }

    /** An entry of XRANGE / XREADGROUP: [id, [field, value, ...]]. */
    record Entry(String id, String kind, String space, String body, String blockedBy) {
        static Entry of(Response e) {
            String kind = "", space = "", body = "{}", blockedBy = null;
            Response f = e.get(1);
            for (int i = 0; f != null && i + 1 < f.size(); i += 2) {
                String v = f.get(i + 1).toString();
                switch (f.get(i).toString()) {
                    case "k" -> kind = v;
                    case "s" -> space = v;
                    case "b" -> body = v;
                    case "w" -> blockedBy = v;
                    default -> {}
                }
            }
            return new Entry(e.get(0).toString(), kind, space, body, blockedBy);
        }

        ObjectNode json() {
            return Incidents.json(id, kind, body, blockedBy);
        }
    }

    /** Incidents from..to (inclusive, epoch ms), of a space and a kind when given, oldest first, at most limit. */
    Uni<List<ObjectNode>> query(long fromMs, long toMs, String space, String kind, int limit) {
        long oldest = System.currentTimeMillis()
                - config.incidentsRetention().toMillis(); // not trimmed yet: gone all the same
        List<ObjectNode> out = new ArrayList<>();
        return page(String.valueOf(Math.max(fromMs, oldest)), String.valueOf(toMs), space, kind, limit, out)
                .replaceWith(out);
    }

    private Uni<Void> page(String start, String end, String space, String kind, int limit, List<ObjectNode> out) {
        return store.command("XRANGE", script.incidentsKey(), start, end, "COUNT", String.valueOf(PAGE))
                .chain(r -> {
                    String last = null;
                    for (Response e : r) {
                        Entry entry = Entry.of(e);
                        last = entry.id();
                        if ((space == null || space.equals(entry.space()))
                                && (kind == null || kind.equals(entry.kind()))) {
                            out.add(entry.json());
                            if (out.size() >= limit) {
                                return Uni.createFrom().voidItem();
                            }
                        }
                    }
                    if (r.size() < PAGE || last == null) {
                        return Uni.createFrom().voidItem();
                    }
                    return page("(" + last, end, space, kind, limit, out);
                });
    }

    /** The last n incidents, oldest first: what a new live stream starts with. */
    Uni<List<String>> recent(int n) {
        return store.command("XREVRANGE", script.incidentsKey(), "+", "-", "COUNT", String.valueOf(n))
                .map(r -> {
                    List<String> out = new ArrayList<>();
                    r.forEach(e -> out.add(Entry.of(e).json().toString()));
                    Collections.reverse(out);
                    return out;
                });
    }

    // ------------------------------------------------------------------ live

    /** An incident published by some replica's script call (pub/sub: {id, k, s, b, w}). */
    void heard(String published) {
        JsonNode p = ItemParser.parse(published);
        String json = json(
                        p.path("id").asText(),
                        p.path("k").asText(),
                        p.path("b").asText("{}"),
                        p.hasNonNull("w") ? p.get("w").asText() : null)
                .toString();
        listeners.forEach(l -> l.accept(json));
    }

    void listen(Consumer<String> listener) {
        listeners.add(listener);
    }

    void unlisten(Consumer<String> listener) {
        listeners.remove(listener);
    }
}
