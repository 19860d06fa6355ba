package io.suite.posting.documents;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A grouped document's lock wait counts from its arrival in posting, not from its group's request. */
class LockWaitLeftTest {
    private static final long NOW = 1_000_000_000_000L;

    @Test
    void aGroupAsksForWhatItsOldestDocumentHasLeft() {
        long arrived = NOW - Duration.ofSeconds(3).toNanos();
        assertEquals(Duration.ofSeconds(7), GroupedPosting.lockWaitLeft(Duration.ofSeconds(10), arrived, NOW));
    }

    @Test
    void aDocumentWhoseTimeIsUpAsksNotToWait() {
        long arrived = NOW - Duration.ofSeconds(12).toNanos();
        assertEquals(Duration.ZERO, GroupedPosting.lockWaitLeft(Duration.ofSeconds(10), arrived, NOW));
    }
}
