package io.suite.faults;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every managed lock a client of the case was granted, as the client saw it: from the moment the
 * grant's answer arrived to the moment its release was sent. The true hold covers that span (the grant
 * happened before its answer, the release after its request), so two conflicting spans that overlap
 * are two conflicting locks truly held at once. The checks read this history, not the answers alone.
 */
final class LockHistory {
    /** One item of a grant: equality conditions only ({@code warehouse}, {@code item}), as the clients lock. */
    record Item(String space, String mode, String warehouse, String item) {
        /**
         * The conflict rule of DESIGN.md (lock-service's {@code Conflicts}), restricted to items whose every
         * field is an equality: same space, at least one EXCLUSIVE, and equal values on every field.
         */
        boolean conflictsWith(Item o) {
            return space.equals(o.space)
                    && ("EXCLUSIVE".equals(mode) || "EXCLUSIVE".equals(o.mode))
                    && warehouse.equals(o.warehouse)
                    && item.equals(o.item);
        }

        String json() {
            return "{\"space\":\"" + space + "\",\"mode\":\"" + mode + "\",\"fields\":{\"warehouse\":\"" + warehouse
                    + "\",\"item\":\"" + item + "\"}}";
        }
    }

    /** A request for locks and its answer; a granted one also carries its fencing token and release time. */
    static final class Grant {
        final String transaction;
        final String lockToken;
        final String replica;
        final List<Item> items;
        final Instant sent;
        final Instant answered;
        final long fencingToken;
        volatile Instant releaseSent;

        Grant(
                String transaction,
                String lockToken,
                String replica,
                List<Item> items,
                Instant sent,
                Instant answered,
                long fencingToken) {
            this.transaction = transaction;
            this.lockToken = lockToken;
            this.replica = replica;
            this.items = items;
            this.sent = sent;
            this.answered = answered;
            this.fencingToken = fencingToken;
        }

        boolean conflictsWith(Grant o) {
            return items.stream().anyMatch(a -> o.items.stream().anyMatch(a::conflictsWith));
        }

        boolean exclusive() {
            return items.stream().anyMatch(i -> "EXCLUSIVE".equals(i.mode()));
        }

        @Override
        public String toString() {
            return transaction + "@" + replica + " " + items + " token " + fencingToken + " answered " + answered
                    + " release sent " + releaseSent;
        }
    }

    record Refusal(String replica, Instant sent, Instant answered, int status, String problem, String body) {}

    private record Window(Instant from, Instant to) {}

    private final Ledger ledger;
    private final ConcurrentLinkedQueue<Grant> grants = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Refusal> refusals = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Instant> storeLost = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Window> readOnly = new ConcurrentLinkedQueue<>();
    private volatile Instant drainedShown;

    LockHistory(Ledger ledger) {
        this.ledger = ledger;
    }

    void granted(Grant g) {
        grants.add(g);
    }

    void refused(Refusal r) {
        refusals.add(r);
    }

    List<Grant> grants() {
        return new ArrayList<>(grants);
    }

    long refusedWith(String problem) {
        return refusals.stream().filter(r -> r.problem().equals(problem)).count();
    }

    /**
     * Redis lost every key (SIGKILL; it keeps none on disk, as the suite runs it): every lock held then is
     * gone, as documented, so a hold ends there at the latest. The fencing tokens are what keeps a store
     * safe from such a former holder; {@link #assertTokensGrow} checks them across the loss.
     */
    void storeLost() {
        storeLost.add(Instant.now());
        ledger.event("lock store lost (Redis killed)");
    }

    /** GET /v1/maintenance first showed DRAINED: from now until read-write is asked, no EXCLUSIVE grant. */
    void drainedShown(Instant at) {
        drainedShown = at;
    }

    void readWriteAsked(Instant at) {
        if (drainedShown != null) {
            readOnly.add(new Window(drainedShown, at));
            drainedShown = null;
        }
    }

    /** Answers a lock client may get under faults; no answer only from a replica that was killed. */
    List<Refusal> unexpected() {
        Set<String> allowed = Set.of("lock-timeout", "deadlock", "lock-service-unavailable", "read-only");
        return refusals.stream()
                .filter(r ->
                        !allowed.contains(r.problem()) && !(r.status() == 0 && ledger.mayGoUnanswered(r.replica())))
                .toList();
    }

    /**
     * The end of {@code g}'s hold: its release sent, or the loss of the lock store if it was asked for before
     * (a grant asked for before the loss may have been made in the lost Redis, even if answered after it).
     */
    private Instant end(Grant g) {
        Instant end = g.releaseSent != null ? g.releaseSent : Instant.now();
        for (Instant lost : storeLost) {
            if (g.sent.isBefore(lost) && lost.isBefore(end)) {
                end = lost.isAfter(g.answered) ? lost : g.answered;
            }
        }
        return end;
    }

    /** No two conflicting grants were held at once. */
    List<String> overlaps() {
        List<Grant> all = sorted();
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Grant a = all.get(i);
            Instant aEnd = end(a);
            for (int j = i + 1; j < all.size() && all.get(j).answered.isBefore(aEnd); j++) {
                Grant b = all.get(j);
                if (a.conflictsWith(b)) {
                    broken.add("held at once: " + a + " and " + b);
                }
            }
        }
        return broken;
    }

    /** Of two conflicting grants the later one has the larger fencing token, also across a loss of Redis. */
    List<String> tokensNotGrowing() {
        List<Grant> all = sorted();
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Grant a = all.get(i), b = all.get(j);
                if (a.conflictsWith(b) && b.fencingToken <= a.fencingToken) {
                    broken.add("token did not grow: " + a + " then " + b);
                }
            }
        }
        return broken;
    }

    /** No EXCLUSIVE grant asked for after DRAINED was shown and answered before read-write was asked. */
    List<String> exclusiveWhileDrained() {
        List<String> broken = new ArrayList<>();
        for (Window w : readOnly) {
            for (Grant g : grants) {
                if (g.exclusive() && g.sent.isAfter(w.from()) && g.answered.isBefore(w.to())) {
                    broken.add("EXCLUSIVE granted while DRAINED (" + w + "): " + g);
                }
            }
        }
        return broken;
    }

    private List<Grant> sorted() {
        List<Grant> all = grants();
        all.sort(Comparator.comparing(g -> g.answered));
        return all;
    }
}
