package io.suite.posting.runs;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a posting run cuts a partition into batches: by documents, lock plan and Stock rows. */
class RunBatchesTest {

    /** A document: its name, its lock plan and the rows it locks. */
    record Doc(String name, String plan, Set<String> rows) {
        static Doc of(String name, String... rows) {
            return new Doc(name, "M", new LinkedHashSet<>(Arrays.asList(rows)));
        }
    }

    private static List<List<String>> batches(int maxDocuments, int maxRows, Doc... docs) {
        return RunBatches.of(List.of(docs), maxDocuments, maxRows, Doc::rows, Doc::plan).stream()
                .map(b -> b.stream().map(Doc::name).toList())
                .toList();
    }

    @Test
    void rowsBoundABatchAsDocumentsDo() {
        // three 3-row documents, threshold 6 rows: two go together, the third starts the next batch
        assertEquals(
                List.of(List.of("a", "b"), List.of("c")),
                batches(500, 6, Doc.of("a", "1", "2", "3"), Doc.of("b", "4", "5", "6"), Doc.of("c", "7", "8", "9")));
        // rows shared with the batch count once
        assertEquals(
                List.of(List.of("a", "b", "c")),
                batches(500, 4, Doc.of("a", "1", "2", "3"), Doc.of("b", "1", "2", "4"), Doc.of("c", "4", "3")));
        // at most maxDocuments, whatever the rows
        assertEquals(
                List.of(List.of("a", "b"), List.of("c")),
                batches(2, 1000, Doc.of("a", "1"), Doc.of("b", "2"), Doc.of("c", "3")));
    }

    @Test
    void aDocumentOverTheThresholdGoesAloneAndOnlyThen() {
        assertEquals(
                List.of(List.of("a"), List.of("huge"), List.of("b", "c")),
                batches(
                        500,
                        3,
                        Doc.of("a", "1", "2"),
                        Doc.of("huge", "3", "4", "5", "6"),
                        Doc.of("b", "7"),
                        Doc.of("c", "8", "9")));
        // exactly the threshold fits
        assertEquals(List.of(List.of("a", "b")), batches(500, 3, Doc.of("a", "1", "2"), Doc.of("b", "3")));
    }

    @Test
    void aBatchHoldsOneLockPlan() {
        Doc auto = new Doc("auto", "A", Set.of("2"));
        assertEquals(
                List.of(List.of("a"), List.of("auto"), List.of("b")),
                RunBatches.of(List.of(Doc.of("a", "1"), auto, Doc.of("b", "3")), 500, 1000, Doc::rows, Doc::plan)
                        .stream()
                        .map(b -> b.stream().map(Doc::name).toList())
                        .toList());
        assertEquals(List.of(), batches(500, 1000));
    }
}
