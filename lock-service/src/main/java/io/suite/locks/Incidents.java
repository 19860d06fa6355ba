package io.suite.locks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Incidents (deadlock, timeout, escalation, expiry): kept in Redis (the last 100) and published to
 * every replica by the script; the live ones reach this replica's streams through {@link #heard}.
 */
@ApplicationScoped
public class Incidents {
    private static final Logger LOG = Logger.getLogger(Incidents.class);

    private final LockScript script;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    Incidents(LockScript script) {
        this.script = script;
    }

    /** {@code {"kind","transaction","owner","label","space", detailKey: detail, "at"}}, sent without waiting. */
    void report(String kind, String tx, String owner, String label, String space, String detailKey, JsonNode detail) {
        ObjectNode i = ItemParser.JSON.createObjectNode();
        i.put("kind", kind).put("transaction", tx).put("owner", owner).put("label", label).put("space", space);
        if (detailKey != null) {
            i.set(detailKey, detail);
        }
        i.put("at", Instant.now().toString());
        script.incident(i.toString()).subscribe().with(r -> { }, e -> LOG.debug("incident not published", e));
    }

    /** An incident published by some replica (pub/sub). */
    void heard(String json) {
        listeners.forEach(l -> l.accept(json));
    }

    void listen(Consumer<String> listener) {
        listeners.add(listener);
    }

    void unlisten(Consumer<String> listener) {
        listeners.remove(listener);
    }
}
