package io.suite.backup.backups;

import java.util.Locale;
import java.util.Optional;

/** How a backup gets a system nothing writes to: {@code auto} makes it read-only itself, {@code require} insists it already is. */
public enum MaintenanceMode {
    AUTO,
    REQUIRE;

    public static Optional<MaintenanceMode> parse(String text) {
        if (text == null) {
            return Optional.of(AUTO);
        }
        for (MaintenanceMode mode : values()) {
            if (mode.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
