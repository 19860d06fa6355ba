package io.suite.locks;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of the read views (DESIGN.md: GET /v1/lock-transactions/{id}, GET /v1/locks and its
 * stream, a 423's blockedBy), as records Jackson writes in declaration order, from what
 * {@link LockScript} decoded. {@code fields} is the canonical JSON of an item, parsed back.
 */
final class LockViews {
    private LockViews() {}

    public record Transaction(
            String id,
            String principal,
            String owner,
            String label,
            long leaseMs,
            String expiresAt,
            List<Lock> locks,
            @JsonInclude(JsonInclude.Include.ALWAYS) Waiting waiting) {}

    public record Lock(String space, String mode, JsonNode fields, String since, long ageMs, long fencingToken) {}

    public record Waiting(String since, long ageMs, List<String> blockedBy, List<Item> items) {}

    public record Item(String space, String mode, JsonNode fields) {}

    public record Snapshot(List<HeldLock> locks, List<WaitingItem> waits) {}

    public record HeldLock(
            String transaction,
            String principal,
            String owner,
            String label,
            String space,
            String mode,
            JsonNode fields,
            String since,
            long ageMs,
            long fencingToken) {}

    public record WaitingItem(
            String transaction,
            String principal,
            String owner,
            String label,
            String space,
            String mode,
            JsonNode fields,
            String since,
            long ageMs,
            List<String> blockedBy) {}

    public record Blocker(
            String transaction,
            String principal,
            String owner,
            String label,
            String space,
            String mode,
            JsonNode fields) {}

    /** GET /v1/lock-transactions/{id}; ages from this replica's clock. */
    static ObjectNode transaction(String id, LockScript.Transaction t) {
        long now = System.currentTimeMillis();
        List<Lock> locks = t.locks().stream()
                .map(h -> new Lock(
                        h.item().space(),
                        h.item().mode().name(),
                        fields(h.item().canonical()),
                        since(h.sinceMs()),
                        age(h.sinceMs(), now),
                        h.fencingToken()))
                .toList();
        Waiting waiting = t.waiting() == null
                ? null
                : new Waiting(
                        since(t.waiting().sinceMs()),
                        age(t.waiting().sinceMs(), now),
                        t.waiting().blockedBy(),
                        t.waiting().items().stream()
                                .map(i -> new Item(i.space(), i.mode().name(), fields(i.canonical())))
                                .toList());
        return tree(new Transaction(
                id,
                t.principal(),
                t.owner(),
                t.label(),
                t.leaseMs(),
                Instant.ofEpochMilli(t.expiresAt()).toString(),
                locks,
                waiting));
    }

    /** GET /v1/locks (and the stream's snapshot event); ages from Redis' clock. */
    static ObjectNode snapshot(LockScript.Snapshot s) {
        LockScript.Named nobody = LockScript.Named.NOBODY;
        List<HeldLock> locks = s.locks().stream()
                .map(l -> {
                    LockScript.Named n = s.transactions().getOrDefault(l.transaction(), nobody);
                    return new HeldLock(
                            l.transaction(),
                            n.principal(),
                            n.owner(),
                            n.label(),
                            l.item().space(),
                            l.item().mode().name(),
                            fields(l.item().canonical()),
                            since(l.sinceMs()),
                            age(l.sinceMs(), s.now()),
                            l.fencingToken());
                })
                .toList();
        List<WaitingItem> waits = s.waits().stream()
                .map(w -> {
                    LockScript.Named n = s.transactions().getOrDefault(w.transaction(), nobody);
                    return new WaitingItem(
                            w.transaction(),
                            n.principal(),
                            n.owner(),
                            n.label(),
                            w.item().space(),
                            w.item().mode().name(),
                            fields(w.item().canonical()),
                            since(w.sinceMs()),
                            age(w.sinceMs(), s.now()),
                            w.blockedBy());
                })
                .toList();
        return tree(new Snapshot(locks, waits));
    }

    /** A 423's (and a timeout incident's) {@code blockedBy}. */
    static ArrayNode blockedBy(List<LockScript.Blocker> blockers) {
        return ItemParser.JSON.valueToTree(blockers.stream()
                .map(b -> new Blocker(
                        b.transaction(),
                        b.who().principal(),
                        b.who().owner(),
                        b.who().label(),
                        b.space(),
                        b.mode().name(),
                        fields(b.canonical())))
                .toList());
    }

    /** An escalation as {@code escalated} lists it: {"space","fields"}. */
    static ObjectNode escalation(LockScript.Escalation e) {
        ObjectNode o = ItemParser.JSON.createObjectNode();
        o.put("space", e.space());
        o.set("fields", fields(e.cover()));
        return o;
    }

    static ArrayNode escalated(List<LockScript.Escalation> escalated) {
        ArrayNode out = ItemParser.JSON.createArrayNode();
        escalated.forEach(e -> out.add(escalation(e)));
        return out;
    }

    private static ObjectNode tree(Object view) {
        return ItemParser.JSON.valueToTree(view);
    }

    private static JsonNode fields(String canonical) {
        return ItemParser.parse(canonical);
    }

    private static String since(long sinceMs) {
        return Instant.ofEpochMilli(sinceMs).toString();
    }

    private static long age(long sinceMs, long now) {
        return Math.max(0, now - sinceMs);
    }
}
