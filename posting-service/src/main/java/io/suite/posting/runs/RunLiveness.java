package io.suite.posting.runs;

import java.time.Duration;

/**
 * When a posting run saved as RUNNING is reported ABANDONED: its heartbeat is older than
 * {@code abandonedAfter}. A read-only window stops every heartbeat (it is a write, refused like any
 * other), so the silence counts only over the time this replica itself could write: a run is not
 * called abandoned because maintenance paused it.
 */
public final class RunLiveness {
    public static final String RUNNING = "RUNNING";
    public static final String ABANDONED = "ABANDONED";

    private RunLiveness() {}

    /** {@code writableFor}: how long this replica has been admitting writes (zero while it refuses them). */
    public static String status(String stored, Duration heartbeatAge, Duration abandonedAfter, Duration writableFor) {
        boolean silent = heartbeatAge.compareTo(abandonedAfter) > 0 && writableFor.compareTo(abandonedAfter) > 0;
        return RUNNING.equals(stored) && silent ? ABANDONED : stored;
    }
}
