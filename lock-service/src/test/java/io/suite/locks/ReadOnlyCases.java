package io.suite.locks;

import java.util.List;

import io.suite.writeguard.Refusal;

/**
 * One table of cases of lock-service's read-only rule (an EXCLUSIVE item asked for), run through
 * the Java statement of it ({@link ExclusiveLockRuleTest}: {@code ReadOnlyRule.admitExclusiveLock})
 * and through its enforcement in Redis ({@code LockScriptTest#redisAgreesWithTheReadOnlyTable}).
 * refused null = granted.
 */
final class ReadOnlyCases {
    /** The granting replica's write window, against Redis' clock. */
    enum Window {
        OPEN,
        ENDED,
        NONE
    }

    record Case(String name, Window window, boolean storeKnowsReadOnly, boolean holdsExclusive, Refusal refused) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> ALL = List.of(
            new Case("open window, no flip known", Window.OPEN, false, false, null),
            new Case("another replica told Redis of a flip", Window.OPEN, true, false, Refusal.READ_ONLY),
            new Case("the replica refuses writes", Window.NONE, false, false, Refusal.READ_ONLY),
            new Case("refuses writes and a flip known", Window.NONE, true, false, Refusal.READ_ONLY),
            new Case("a replica frozen past its lease", Window.ENDED, false, false, Refusal.STATE_STALE),
            new Case("frozen past its lease, a flip known", Window.ENDED, true, false, Refusal.STATE_STALE),
            new Case("a write in flight, flip known", Window.NONE, true, true, null),
            new Case("a write in flight, frozen replica", Window.ENDED, true, true, null),
            new Case("a write in flight, open window", Window.OPEN, false, true, null));

    private ReadOnlyCases() {}
}
