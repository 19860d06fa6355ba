package io.suite.writeguard;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Test-only observer: every MaintenanceStateChanged the guard fires. */
@ApplicationScoped
public class StateChanges {
    private final List<MaintenanceStateChanged> seen = new CopyOnWriteArrayList<>();

    void on(@Observes MaintenanceStateChanged e) {
        seen.add(e);
    }

    int count() {
        return seen.size();
    }
}
