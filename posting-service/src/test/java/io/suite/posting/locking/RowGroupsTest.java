package io.suite.posting.locking;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RowGroupsTest {
    record Posting(String name, Set<String> rows) {}

    private final List<List<String>> started = new ArrayList<>();
    private final List<List<Posting>> groups = new ArrayList<>();

    private RowGroups<Posting, String> groups(int max) {
        return new RowGroups<>(Posting::rows, max, g -> {
            groups.add(g);
            started.add(g.stream().map(Posting::name).toList());
        });
    }

    private static Posting p(String name, String... rows) {
        return new Posting(name, Set.of(rows));
    }

    private List<Posting> group(String first) {
        return groups.stream()
                .filter(g -> g.get(0).name().equals(first))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aPostingOnFreeRowsStartsAtOnceAlone() {
        RowGroups<Posting, String> g = groups(10);
        g.submit(p("a", "r1"));
        g.submit(p("b", "r2"));
        assertEquals(List.of(List.of("a"), List.of("b")), started);
        assertEquals(0, g.waiting());
    }

    @Test
    void postingsSharingARowInFlightWaitAndThenGoAsOneGroupInArrivalOrder() {
        RowGroups<Posting, String> g = groups(10);
        g.submit(p("a", "r1"));
        g.submit(p("b", "r1", "r2"));
        g.submit(p("c", "r9"));
        g.submit(p("d", "r1"));
        assertEquals(List.of(List.of("a"), List.of("c")), started);
        assertEquals(2, g.waiting());
        g.done(group("a"));
        assertEquals(List.of("b", "d"), started.get(2));
        assertEquals(0, g.waiting());
        // the group holds r1 and r2 until it is done
        g.submit(p("e", "r2"));
        assertEquals(3, started.size());
        g.done(group("b"));
        assertEquals(List.of("e"), started.get(3));
    }

    @Test
    void aWaitingPostingKeepsItsRowsFromLaterOnes() {
        RowGroups<Posting, String> g = groups(10);
        g.submit(p("a", "r1"));
        g.submit(p("b", "r1", "r2"));
        g.submit(p("c", "r2")); // r2 is free, but b, waiting, came first
        assertEquals(List.of(List.of("a")), started);
        g.done(group("a"));
        assertEquals(List.of("b", "c"), started.get(1));
    }

    @Test
    void groupsJoinedByAPostingBecomeOneInArrivalOrder() {
        RowGroups<Posting, String> g = groups(10);
        g.submit(p("a", "r1", "r2"));
        g.submit(p("x", "r1"));
        g.submit(p("y", "r2"));
        g.submit(p("z", "r1", "r2"));
        g.done(group("a"));
        assertEquals(List.of("x", "y", "z"), started.get(1));
    }

    @Test
    void aGroupHasAtMostMaxPostingsTheRestWaitForIt() {
        RowGroups<Posting, String> g = groups(2);
        g.submit(p("a", "r1"));
        g.submit(p("b", "r1"));
        g.submit(p("c", "r1"));
        g.submit(p("d", "r1"));
        g.done(group("a"));
        assertEquals(List.of("b", "c"), started.get(1));
        assertEquals(1, g.waiting());
        g.done(group("b"));
        assertEquals(List.of("d"), started.get(2));
    }

    @Test
    void withMaxOneEachPostingGoesAloneInArrivalOrderPerRow() {
        RowGroups<Posting, String> g = groups(1);
        g.submit(p("a", "r1"));
        g.submit(p("b", "r1"));
        g.submit(p("c", "r1"));
        g.done(group("a"));
        g.done(group("b"));
        assertEquals(List.of(List.of("a"), List.of("b"), List.of("c")), started);
    }
}
