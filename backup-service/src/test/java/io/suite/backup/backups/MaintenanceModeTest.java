package io.suite.backup.backups;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaintenanceModeTest {
    @Test
    void parsesTheTwoModesAndDefaultsToAuto() {
        assertEquals(Optional.of(MaintenanceMode.AUTO), MaintenanceMode.parse("auto"));
        assertEquals(Optional.of(MaintenanceMode.REQUIRE), MaintenanceMode.parse("REQUIRE"));
        assertEquals(Optional.of(MaintenanceMode.AUTO), MaintenanceMode.parse(null));
        assertEquals(Optional.empty(), MaintenanceMode.parse("sometimes"));
    }
}
