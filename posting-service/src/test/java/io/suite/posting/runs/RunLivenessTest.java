package io.suite.posting.runs;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When a run saved as RUNNING is reported ABANDONED. */
class RunLivenessTest {
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void aRunningRowWhoseHeartbeatStoppedIsAbandoned() {
        assertEquals("ABANDONED", RunLiveness.status("RUNNING", Duration.ofSeconds(16), LIMIT, LONG));
        assertEquals("RUNNING", RunLiveness.status("RUNNING", Duration.ofSeconds(14), LIMIT, LONG));
    }

    @Test
    void anEndedRunIsNeverAbandoned() {
        assertEquals("DONE", RunLiveness.status("DONE", Duration.ofHours(1), LIMIT, LONG));
    }

    @Test
    void silenceDuringReadOnlyDoesNotCount() {
        // heartbeats are writes: refused while read-only, and for a while after this replica could write again
        assertEquals("RUNNING", RunLiveness.status("RUNNING", Duration.ofHours(1), LIMIT, Duration.ZERO));
        assertEquals("RUNNING", RunLiveness.status("RUNNING", Duration.ofHours(1), LIMIT, Duration.ofSeconds(10)));
        assertEquals("ABANDONED", RunLiveness.status("RUNNING", Duration.ofHours(1), LIMIT, Duration.ofSeconds(16)));
    }
}
