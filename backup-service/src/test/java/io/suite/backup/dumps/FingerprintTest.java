package io.suite.backup.dumps;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FingerprintTest {
    private static Fingerprint of(Map<String, Fingerprint.Table> tables) {
        return new Fingerprint(tables, Map.of("tupInserted", 1L));
    }

    @Test
    void equalTablesMeanNothingWasWrittenWhateverTheStatisticsSay() {
        Fingerprint before = of(Map.of("public.a", new Fingerprint.Table(3, "300")));
        Fingerprint after =
                new Fingerprint(Map.of("public.a", new Fingerprint.Table(3, "300")), Map.of("tupInserted", 9L));
        assertEquals(List.of(), before.changesTo(after));
    }

    @Test
    void anUpdateChangesTheXminSumAndAnInsertOrDeleteTheCount() {
        Fingerprint before =
                of(Map.of("public.a", new Fingerprint.Table(3, "300"), "public.b", new Fingerprint.Table(1, "7")));
        Fingerprint after =
                of(Map.of("public.a", new Fingerprint.Table(3, "412"), "public.b", new Fingerprint.Table(2, "20")));
        assertEquals(List.of("public.a", "public.b"), before.changesTo(after));
    }

    @Test
    void aTableThatAppearsOrDisappearsIsAChange() {
        Fingerprint before = of(Map.of("public.a", new Fingerprint.Table(0, "0")));
        Fingerprint after = of(Map.of("public.b", new Fingerprint.Table(0, "0")));
        assertEquals(List.of("public.a", "public.b"), before.changesTo(after));
    }
}
