package io.suite.locks;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.suite.writeguard.ReadOnlyRule;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** lock-service's read-only rule as Java states it ({@link ReadOnlyRule#admitExclusiveLock}), on the shared table. */
class ExclusiveLockRuleTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static List<ReadOnlyCases.Case> cases() {
        return ReadOnlyCases.ALL;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rule(ReadOnlyCases.Case c) {
        Instant window = switch (c.window()) {
            case OPEN -> NOW.plusSeconds(3600);
            case ENDED -> NOW.minusSeconds(3600);
            case NONE -> null;
        };
        assertEquals(
                Optional.ofNullable(c.refused()),
                ReadOnlyRule.admitExclusiveLock(window, c.storeKnowsReadOnly(), c.holdsExclusive(), NOW),
                c.name());
    }
}
