package io.suite.posting.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.suite.posting.Db;
import io.suite.posting.Writes;
import io.suite.posting.model.DocumentData;

/** Writes document events into the outbox table, inside the posting's own transaction. */
public final class Outbox {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Outbox() {}

    public record Event(String event, DocumentData document) {}

    /** Queues the events' outbox rows in {@code w}, which runs inside the posting's transaction. */
    public static void add(Writes w, List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        List<Object> p = new ArrayList<>();
        String at = Instant.now().toString();
        for (Event e : events) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("event", e.event());
            payload.put("documentId", e.document().id().toString());
            payload.put("type", e.document().type().name());
            payload.put("number", e.document().number());
            payload.put("date", e.document().date().toString());
            payload.put("status", e.document().status().name());
            payload.put("at", at);
            p.add(e.document().id().toString());
            try {
                p.add(JSON.writeValueAsString(payload));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        w.add("INSERT INTO outbox (event_key, payload) VALUES " + Db.tuples(events.size(), 2, 1), p);
    }
}
