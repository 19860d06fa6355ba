package io.suite.locks;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conflict rule, {@link Conflicts}, on the shared corner-case table. */
class ConflictRuleTest {
    static List<ConflictCases.Case> cases() {
        return ConflictCases.ALL;
    }

    private static final ItemParser PARSER = new ItemParser(new TestLimits());

    static LockItem item(String json) {
        return PARSER.lockRequest("{\"items\":[" + json + "]}").items().get(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rule(ConflictCases.Case c) {
        LockItem a = item(c.a());
        LockItem b = item(c.b());
        assertEquals(c.conflict(), Conflicts.conflict(a, b), c.name());
        assertEquals(c.conflict(), Conflicts.conflict(b, a), c.name() + " (symmetric)");
    }

    @Test
    void normalisationMakesEqualItemsEqual() {
        assertEquals(
                item("{\"space\":\"S\",\"fields\":{\"b\":{\"in\":[\"Y\",\"X\",\"X\"]},\"a\":1.50}}")
                        .canonical(),
                item("{\"space\":\"S\",\"fields\":{\"a\":1.5,\"b\":{\"in\":[\"X\",\"Y\"]}}}")
                        .canonical());
        assertEquals(
                "{\"d\":\"2026-01-01\"}",
                item("{\"space\":\"S\",\"fields\":{\"d\":{\"from\":\"2026-01-01\",\"to\":\"2026-01-01\"}}}")
                        .canonical());
        assertEquals("{}", item("{\"space\":\"S\",\"fields\":{\"d\":{}}}").canonical(), "an open range is every value");
        assertTrue(item("{\"space\":\"S\",\"fields\":{}}").wholeSpace());
        assertEquals(Mode.EXCLUSIVE, item("{\"space\":\"S\"}").mode(), "EXCLUSIVE unless said otherwise");
    }

    @Test
    void rowsAreOneItemEach() {
        List<LockItem> items = PARSER.lockRequest("{\"items\":[{\"space\":\"S\",\"mode\":\"SHARED\",\"rows\":"
                        + "[{\"w\":\"W2\",\"i\":\"C\"},{\"w\":\"W3\",\"i\":\"C\"}]}]}")
                .items();
        assertEquals(2, items.size());
        assertFalse(Conflicts.conflict(items.get(0), items.get(1)));
        assertEquals("=i\u001fw", items.get(0).shape());
    }
}
