package io.suite.locks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;
import io.suite.writeguard.WriteGuard;
import io.vertx.mutiny.redis.client.Response;

/**
 * The protocol of {@code locks.lua}, in one place: one method per operation of the script, whose
 * arguments have the names the script gives them at the top of each operation, and whose answers
 * come back as records. The script's fixed keys go as KEYS ({@link #FIXED_KEYS}, the order it
 * unpacks them); every call also carries the header (operation, key prefix, this replica's
 * read-only inputs, a deadline). {@link LockStore} only moves the bytes.
 */
@ApplicationScoped
public class LockScript {
    /** KEYS of every call, in the order {@code locks.lua} unpacks them. */
    static final List<String> FIXED_KEYS = List.of(
            "leases", "waitdl", "spaces", "fence", "waitseq", "version", "nheld", "ilog", "xtx", "waits", "edges",
            "mstate");

    /** ARGV 3..5 of a call: the calling replica's write window and maintenance state, and its deadline (epoch ms). */
    record Header(String writeWindow, String maintenanceState, long deadline) {}

    private final LockStore store;
    private final LockMetrics metrics;
    private final String prefix;
    private final List<String> keys;
    private final Supplier<Header> header;

    @Inject
    LockScript(LockStore store, LockMetrics metrics, LockConfig config, WriteGuard guard) {
        this(
                store,
                metrics,
                config.keyPrefix(),
                () -> new Header(
                        ReadOnlyRefusal.writeWindow(guard),
                        ReadOnlyRefusal.maintenanceState(guard),
                        System.currentTimeMillis() + config.redisTimeout().toMillis()));
    }

    /** A caller of its own: tests call the script as replicas with other inputs would, under another prefix. */
    LockScript(LockStore store, LockMetrics metrics, String prefix, Supplier<Header> header) {
        this.store = store;
        this.metrics = metrics;
        this.prefix = prefix;
        this.keys = FIXED_KEYS.stream().map(k -> prefix + k).toList();
        this.header = header;
    }

    /** The name of a space's key of this kind ({@code locks.lua}'s {@code skey}): the space is its hash tag. */
    String spaceKey(String kind, String space) {
        return prefix + kind + ":{" + space + "}";
    }

    // ------------------------------------------------------------------ what a lock request sends and gets

    /**
     * A lock request as {@code lock_args} of the script takes it. {@code items} empty: a re-check of
     * the waiting request {@code req}.
     */
    record LockCall(
            String req,
            boolean mayWait,
            boolean last,
            long waitMs,
            int threshold,
            int coverMaxValues,
            long waiterLeaseMs,
            List<LockItem> items) {}

    /** An escalated space and the one item its items there became ({@code cover}: canonical fields JSON, "{}" = all). */
    record Escalation(String space, String cover) {}

    /** Who a transaction is: its principal (who began it), and the caller's free-text owner and label. */
    record Named(String principal, String owner, String label) {
        static final Named NOBODY = new Named("", "", "");

        /** The three strings from {@code at} on of a script answer. */
        static Named of(Response r, int at) {
            return new Named(
                    r.get(at).toString(),
                    r.get(at + 1).toString(),
                    r.get(at + 2).toString());
        }
    }

    /** A transaction that holds or waits for something, as a 423's {@code blockedBy} names it. */
    record Blocker(String transaction, Named who, String space, Mode mode, String canonical) {}

    /** The script's answer to a lock request ({@code who}: the requesting transaction). */
    sealed interface LockAnswer {}

    /** Granted: {@code expiresAt} (ms) when the lease was renewed with the answer (a grant made while it waited). */
    record Granted(long fencingToken, List<Escalation> escalated, Named who, Long expiresAt) implements LockAnswer {}

    /** Queued; {@code first}: the answer to the request itself (then escalated and who are set), not to a re-check. */
    record Waiting(boolean first, List<Escalation> escalated, Named who) implements LockAnswer {}

    record Blocked(Named who, List<Blocker> blockedBy) implements LockAnswer {}

    /** The requester closed a cycle of waits and was ended: {@code cycle} from the first it waits for. */
    record Deadlock(Named who, List<String> cycle) implements LockAnswer {}

    /** A begin with items: the transaction's lease and the answer of its lock request. */
    record Begun(long expiresAt, LockAnswer answer) implements LockAnswer {}

    /** Refused before any decision (unknown transaction, wrong token, read-only, late, ...): the problem to answer. */
    record Refused(RuntimeException problem) implements LockAnswer {}

    // ------------------------------------------------------------------ operations

    /**
     * {@code begin}: a transaction of {@code principal} (who began it, shown in the views); {@code digest}
     * is {@link LockStore#digest} of its token and that principal. Answers its lease's end (epoch ms).
     */
    Uni<Long> begin(String tx, String digest, String principal, String owner, String label, long leaseMs) {
        return call("begin", args(tx, digest, principal, owner, label, String.valueOf(leaseMs)))
                .map(r -> check(tx, r).get(1).toLong());
    }

    /** {@code begin} with items: begins and locks in one call, all or nothing. */
    Uni<LockAnswer> beginAndLock(
            String tx, String digest, String principal, String owner, String label, long leaseMs, LockCall lock) {
        List<String> args = args(tx, digest, principal, owner, label, String.valueOf(leaseMs));
        addLock(args, lock);
        return call("begin", args).map(r -> lockAnswer(tx, r));
    }

    /** {@code lock}: a lock request, or ({@code call.items()} empty) a re-check of the waiting request. */
    Uni<LockAnswer> lock(String tx, String digest, LockCall lock) {
        List<String> args = args(tx, digest);
        addLock(args, lock);
        return call("lock", args).map(r -> lockAnswer(tx, r));
    }

    /** {@code renew}: answers the new end of the lease. */
    Uni<Long> renew(String tx, String digest) {
        return call("renew", args(tx, digest)).map(r -> check(tx, r).get(1).toLong());
    }

    /** Where a transaction held items, and since when (the earliest in each space): the hold-time metric. */
    record HeldSince(String space, long sinceMs) {}

    /** {@code end}: frees everything; answers what it held. */
    Uni<List<HeldSince>> end(String tx, String digest) {
        return call("end", args(tx, digest)).map(r -> heldSince(check(tx, r), 1));
    }

    /**
     * {@code withdraw}: a begin whose answer never came (its caller got a 503) is undone: the transaction is
     * ended if it began, or kept from beginning if its call is still on its way. Answers what it held.
     */
    Uni<List<HeldSince>> withdraw(String tx, String digest, Duration patience) {
        return call("withdraw", args(tx, digest), patience)
                .map(r -> "notx".equals(r.get(0).toString()) ? List.of() : heldSince(check(tx, r), 1));
    }

    /** {@code delivered}: the answer to a request granted while it waited goes out now; answers the lease's end. */
    Uni<Long> delivered(String tx, String digest, String req) {
        return call("delivered", args(tx, digest, req))
                .map(r -> check(tx, r).get(1).toLong());
    }

    /** {@code abandon}: the caller of a waiting request went away. */
    Uni<Void> abandon(String req) {
        return call("abandon", args(req)).replaceWithVoid();
    }

    /**
     * Drops the grant kept for a request granted while it waited ({@code res:<req>}), once its
     * announcement reached the replica holding the caller: not a script call, nothing else changes.
     */
    void forgetGrant(String req) {
        store.command("UNLINK", prefix + "res:" + req).subscribe().with(r -> {}, e -> {});
    }

    /** The incidents stream (a Redis stream whose entry ids are the times): {@link IncidentLog} reads it. */
    String incidentsKey() {
        return prefix + "ilog";
    }

    /** The change counter every script call that changes what is held or waits bumps (0 before the first). */
    Uni<Long> version() {
        return store.command("GET", prefix + "version").map(v -> v == null ? 0L : v.toLong());
    }

    /** The pub/sub channel of the script's grants ("g") and incidents ("i"). */
    String channel() {
        return prefix + "events";
    }

    /** An item as the script lists it: space, mode, canonical fields JSON. */
    record Item(String space, Mode mode, String canonical) {}

    record HeldItem(Item item, long sinceMs, long fencingToken) {}

    record Wait(long sinceMs, List<String> blockedBy, List<Item> items) {}

    /** {@code get}: a transaction as Redis has it; {@code waiting} null when it does not wait. */
    record Transaction(
            String principal,
            String owner,
            String label,
            long leaseMs,
            long expiresAt,
            List<HeldItem> locks,
            Wait waiting) {}

    Uni<Transaction> get(String tx, String digest) {
        return call("get", args(tx, digest)).map(r -> {
            check(tx, r);
            List<HeldItem> locks = new ArrayList<>();
            int n = r.get(6).toInteger();
            int i = 7;
            for (int k = 0; k < n; k++, i += 5) {
                locks.add(new HeldItem(
                        item(r, i), r.get(i + 3).toLong(), r.get(i + 4).toLong()));
            }
            Wait waiting = null;
            if (i < r.size()) {
                List<Item> items = new ArrayList<>();
                int m = r.get(i + 2).toInteger();
                for (int k = 0, j = i + 3; k < m; k++, j += 3) {
                    items.add(item(r, j));
                }
                waiting = new Wait(r.get(i).toLong(), csv(r.get(i + 1).toString()), items);
            }
            return new Transaction(
                    r.get(1).toString(),
                    r.get(2).toString(),
                    r.get(3).toString(),
                    r.get(4).toLong(),
                    r.get(5).toLong(),
                    locks,
                    waiting);
        });
    }

    record SnapshotLock(String transaction, Item item, long sinceMs, long fencingToken) {}

    record SnapshotWait(String transaction, Item item, long sinceMs, List<String> blockedBy) {}

    /** {@code snapshot}: held items and waiting items (one per item of a waiting request), at Redis' clock. */
    record Snapshot(long now, List<SnapshotLock> locks, List<SnapshotWait> waits, Map<String, Named> transactions) {}

    Uni<Snapshot> snapshot(String space, int maxEntries) {
        return call("snapshot", args(space == null ? "" : space, String.valueOf(maxEntries)))
                .map(r -> {
                    Map<String, Named> names = new HashMap<>();
                    Response txs = r.get(3);
                    for (int i = 0; i + 3 < txs.size(); i += 4) {
                        names.put(txs.get(i).toString(), Named.of(txs, i + 1));
                    }
                    List<SnapshotLock> locks = new ArrayList<>();
                    Response held = r.get(1);
                    for (int i = 0; i + 5 < held.size(); i += 6) {
                        locks.add(new SnapshotLock(
                                held.get(i).toString(),
                                item(held, i + 1),
                                held.get(i + 4).toLong(),
                                held.get(i + 5).toLong()));
                    }
                    List<SnapshotWait> waits = new ArrayList<>();
                    Response waiting = r.get(2);
                    for (int i = 0; i + 5 < waiting.size(); i += 6) {
                        waits.add(new SnapshotWait(
                                waiting.get(i).toString(),
                                item(waiting, i + 1),
                                waiting.get(i + 4).toLong(),
                                csv(waiting.get(i + 5).toString())));
                    }
                    return new Snapshot(r.get(0).toLong(), locks, waits, names);
                });
    }

    /** A transaction the reaper ended: its lease ran out. */
    record Expired(String transaction, Named who, List<HeldSince> held) {}

    /** {@code reap}: ends transactions whose lease ran out and drops waits whose replica vanished. */
    Uni<List<Expired>> reap() {
        return call("reap", List.of()).map(r -> {
            List<Expired> out = new ArrayList<>();
            for (Response e : r) {
                out.add(new Expired(e.get(0).toString(), Named.of(e, 1), heldSince(e.get(4), 0)));
            }
            return out;
        });
    }

    /** {@code stats}: items held, requests waiting, the change counter, transactions holding EXCLUSIVE items. */
    record Stats(long held, long waiting, long version, long exclusiveTransactions) {}

    Uni<Stats> stats() {
        return call("stats", List.of())
                .map(r -> new Stats(
                        r.get(0).toLong(),
                        r.get(1).toLong(),
                        r.get(2).toLong(),
                        r.get(3).toLong()));
    }

    /** {@code drain}: ends the transactions holding EXCLUSIVE items (the writes in flight); answers them. */
    Uni<List<String>> drain() {
        return call("drain", List.of()).map(r -> {
            List<String> out = new ArrayList<>();
            r.forEach(t -> out.add(t.toString()));
            return out;
        });
    }

    /**
     * {@code incident}: appends it to the incidents stream (dropping entries older than the retention)
     * and publishes it to every replica, in one call; {@code req} (a wait's request, else "") makes the
     * script fill in blockedBy: every transaction the wait was for. Answers the entry's id.
     */
    Uni<String> incident(String kind, String space, String body, String req, long retentionMs) {
        return call("incident", args(kind, space, body, req == null ? "" : req, String.valueOf(retentionMs)))
                .map(r -> r.get(1).toString());
    }

    // ------------------------------------------------------------------ encoding and decoding

    private Uni<Response> call(String op, List<String> args) {
        return call(op, args, null);
    }

    /** {@code patience}: how long to wait for the answer, null for {@code lock.redis-timeout}. */
    private Uni<Response> call(String op, List<String> args, Duration patience) {
        Header h = header.get();
        List<String> argv = new ArrayList<>(5 + args.size());
        argv.add(op);
        argv.add(prefix);
        argv.add(h.writeWindow());
        argv.add(h.maintenanceState());
        argv.add(String.valueOf(h.deadline()));
        argv.addAll(args);
        return patience == null ? store.eval(op, keys, argv) : store.eval(op, keys, argv, patience);
    }

    private static List<String> args(String... named) {
        List<String> out = new ArrayList<>(named.length + 8);
        for (String a : named) {
            out.add(a);
        }
        return out;
    }

    /** {@code lock_args}: req, wait, final, wait_ms, threshold, max_values, waiter_lease, then 4 per item. */
    private static void addLock(List<String> args, LockCall lock) {
        args.add(lock.req());
        args.add(lock.mayWait() ? "1" : "0");
        args.add(lock.last() ? "1" : "0");
        args.add(String.valueOf(lock.waitMs()));
        args.add(String.valueOf(lock.threshold()));
        args.add(String.valueOf(lock.coverMaxValues()));
        args.add(String.valueOf(lock.waiterLeaseMs()));
        for (LockItem item : lock.items()) {
            args.add(item.space());
            args.add(item.mode().letter);
            args.add(item.canonical());
            args.add(item.shape());
        }
    }

    private LockAnswer lockAnswer(String tx, Response r) {
        String status = r.get(0).toString();
        switch (status) {
            case "begun":
                return new Begun(r.get(1).toLong(), lockAnswer(tx, r.get(2)));
            case "granted":
                return new Granted(
                        r.get(1).toLong(),
                        escalations(r.get(2).toString()),
                        Named.of(r, 3),
                        r.size() > 6 ? r.get(6).toLong() : null);
            case "waiting":
                return r.size() > 1
                        ? new Waiting(true, escalations(r.get(1).toString()), Named.of(r, 2))
                        : new Waiting(false, List.of(), Named.NOBODY);
            case "blocked": {
                List<Blocker> blockers = new ArrayList<>();
                for (int i = 4; i + 6 < r.size(); i += 7) {
                    blockers.add(new Blocker(
                            r.get(i).toString(),
                            Named.of(r, i + 1),
                            r.get(i + 4).toString(),
                            Mode.ofLetter(r.get(i + 5).toString()),
                            r.get(i + 6).toString()));
                }
                return new Blocked(Named.of(r, 1), blockers);
            }
            case "deadlock": {
                List<String> cycle = new ArrayList<>();
                for (int i = 4; i < r.size(); i++) {
                    cycle.add(r.get(i).toString());
                }
                return new Deadlock(Named.of(r, 1), cycle);
            }
            default:
                try {
                    check(tx, r);
                    return new Refused(new IllegalStateException("unexpected answer from Redis: " + status));
                } catch (RuntimeException e) {
                    return new Refused(e);
                }
        }
    }

    /** The script's refusals as the problems they are; returns r when it is "ok" (or another answer). */
    private Response check(String tx, Response r) {
        switch (r.get(0).toString()) {
            case "notx":
                throw Problems.noSuchTransaction(tx);
            case "expired":
                metrics.expired(1);
                throw Problems.noSuchTransaction(tx);
            case "forbidden":
                throw Problems.forbidden();
            case "busy":
                throw Problems.busy(tx);
            case "readonly":
                throw new ReadOnlyRefusal(
                        false,
                        r.size() > 1 && !r.get(1).toString().isEmpty()
                                ? r.get(1).toLong()
                                : null);
            case "stale":
                throw new ReadOnlyRefusal(true, null);
            case "lost":
                throw Problems.waitLost();
            case "late":
                throw Problems.unavailable(new TimeoutException("reached Redis after its deadline"));
            default:
                return r;
        }
    }

    private static Item item(Response r, int i) {
        return new Item(
                r.get(i).toString(),
                Mode.ofLetter(r.get(i + 1).toString()),
                r.get(i + 2).toString());
    }

    /** Flat {space, since, ...} from index {@code from}. */
    private static List<HeldSince> heldSince(Response r, int from) {
        List<HeldSince> out = new ArrayList<>();
        for (int i = from; i + 1 < r.size(); i += 2) {
            out.add(new HeldSince(r.get(i).toString(), r.get(i + 1).toLong()));
        }
        return out;
    }

    /** Escalations: "space TAB cover" each, separated by U+001F, which names cannot contain. */
    static List<Escalation> escalations(String s) {
        if (s == null || s.isEmpty()) {
            return List.of();
        }
        List<Escalation> out = new ArrayList<>();
        for (String e : s.split("\u001f")) {
            int tab = e.indexOf('\t');
            out.add(new Escalation(e.substring(0, tab), e.substring(tab + 1)));
        }
        return out;
    }

    static List<String> csv(String s) {
        return s == null || s.isEmpty() ? List.of() : List.of(s.split(","));
    }
}
