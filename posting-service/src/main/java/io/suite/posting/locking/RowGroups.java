package io.suite.posting.locking;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * This process's postings in front of lock-service, the only place that decides which go together.
 * A posting whose rows are all free here starts at once; one that shares a row with a group in
 * flight (which holds or waits for that row's lock) waits here instead of in lock-service's queue.
 * When a group ends, the waiting postings start in arrival order, and those that share rows go as
 * one group: one lock transaction, one statement, each posting still answered on its own.
 *
 * <p>Fair like lock-service: a posting that cannot start keeps its rows from later postings. Nothing
 * here waits while holding anything, so nothing here deadlocks. Thread-safe; {@code start} runs
 * outside the monitor and must call {@link #done} exactly once for every group it is given.
 *
 * @param <T> a posting
 * @param <R> a row it locks
 */
public final class RowGroups<T, R> {
    private final Function<T, Set<R>> rows;
    private final int maxGroup;
    private final Consumer<List<T>> start;
    private final Deque<T> waiting = new ArrayDeque<>();
    /** rows of the groups started and not done: how many groups lock each */
    private final Map<R, Integer> inFlight = new HashMap<>();

    /** {@code maxGroup}: most postings in one group (1: each posting alone, in arrival order per row). */
    public RowGroups(Function<T, Set<R>> rows, int maxGroup, Consumer<List<T>> start) {
        this.rows = rows;
        this.maxGroup = Math.max(1, maxGroup);
        this.start = start;
    }

    public void submit(T posting) {
        List<List<T>> ready;
        synchronized (this) {
            waiting.add(posting);
            ready = form();
        }
        ready.forEach(start);
    }

    /** A group given to {@code start} has ended (written, refused or failed): its rows are free here. */
    public void done(List<T> group) {
        List<List<T>> ready;
        synchronized (this) {
            Set<R> union = new HashSet<>();
            group.forEach(t -> union.addAll(rows.apply(t)));
            for (R r : union) {
                inFlight.computeIfPresent(r, (k, n) -> n == 1 ? null : n - 1);
            }
            ready = form();
        }
        ready.forEach(start);
    }

    /** Postings waiting here for a group in flight. */
    public synchronized int waiting() {
        return waiting.size();
    }

    private List<List<T>> form() {
        Set<R> blocked = new HashSet<>(inFlight.keySet());
        Map<T, Integer> arrival = new IdentityHashMap<>();
        waiting.forEach(t -> arrival.put(t, arrival.size()));
        List<Group<T, R>> forming = new ArrayList<>();
        for (Iterator<T> it = waiting.iterator(); it.hasNext(); ) {
            T t = it.next();
            Set<R> mine = rows.apply(t);
            if (intersects(mine, blocked)) {
                blocked.addAll(mine); // later postings do not overtake it on its rows
                continue;
            }
            List<Group<T, R>> sharing =
                    forming.stream().filter(g -> intersects(mine, g.rows)).toList();
            int size = 1 + sharing.stream().mapToInt(g -> g.members.size()).sum();
            if (size > maxGroup) {
                blocked.addAll(mine);
                continue;
            }
            Group<T, R> g = new Group<>();
            for (Group<T, R> s : sharing) {
                g.members.addAll(s.members);
                g.rows.addAll(s.rows);
                forming.remove(s);
            }
            g.members.add(t);
            g.rows.addAll(mine);
            forming.add(g);
            it.remove();
        }
        List<List<T>> ready = new ArrayList<>();
        for (Group<T, R> g : forming) {
            g.rows.forEach(r -> inFlight.merge(r, 1, Integer::sum));
            g.members.sort(Comparator.comparing(arrival::get)); // merged groups: still in arrival order
            ready.add(g.members);
        }
        return ready;
    }

    private static <R> boolean intersects(Set<R> a, Collection<R> b) {
        for (R r : a) {
            if (b.contains(r)) {
                return true;
            }
        }
        return false;
    }

    private static final class Group<T, R> {
        final List<T> members = new ArrayList<>();
        final Set<R> rows = new HashSet<>();
    }
}
