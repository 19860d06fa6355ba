package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/** How heartbeats of the write paths make the phase. Pure, unit-tested beside. */
public final class PhaseRule {
    private PhaseRule() {
    }

    public enum PathState {
        LIVE, DRAINED, LOST;

        public String tag() {
            return name().toLowerCase();
        }
    }

    /** LOST when silent longer than lostAfter; DRAINED when it reported drained for the current epoch; else LIVE. */
    public static PathState classify(WritePath p, long currentEpoch, Instant now, Duration lostAfter) {
        if (Duration.between(p.lastSeen(), now).compareTo(lostAfter) > 0) {
            return PathState.LOST;
        }
        return p.drained() && p.epoch() == currentEpoch ? PathState.DRAINED : PathState.LIVE;
    }

    /** A write path silent longer than dropAfter is forgotten. */
    public static boolean dropped(WritePath p, Instant now, Duration dropAfter) {
        return Duration.between(p.lastSeen(), now).compareTo(dropAfter) > 0;
    }

    /**
     * ACTIVE in READ_WRITE. In READ_ONLY: DRAINED once every write path that is not lost reported
     * drained for the current epoch, DRAINING before that, and DRAINING as long as the recent
     * heartbeats have not been read yet (just started: a live write path may not be known yet).
     */
    public static Phase phase(MaintenanceState state, Collection<WritePath> paths, boolean heartbeatsCaughtUp,
            Instant now, Duration lostAfter) {
        if (!state.readOnly()) {
            return Phase.ACTIVE;
        }
        if (!heartbeatsCaughtUp) {
            return Phase.DRAINING;
        }
        for (WritePath p : paths) {
            if (classify(p, state.epoch(), now, lostAfter) == PathState.LIVE) {
                return Phase.DRAINING;
            }
        }
        return Phase.DRAINED;
    }
}
