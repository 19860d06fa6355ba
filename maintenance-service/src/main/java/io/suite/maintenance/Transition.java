package io.suite.maintenance;

import java.time.Instant;

/** One accepted change: the next state and its history entry's who/why. */
public record Transition(
        MaintenanceState next, String action, String reason, String requestedBy, Instant at, boolean forced) {}
