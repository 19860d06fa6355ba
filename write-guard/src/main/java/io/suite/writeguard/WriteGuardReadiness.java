package io.suite.writeguard;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once this write path has read the maintenance state (until then it refuses writes). */
@Readiness
@ApplicationScoped
class WriteGuardReadiness implements HealthCheck {
    @Inject
    WriteGuard guard;
    @Inject
    WriteGuardConfig config;

    @Override
    public HealthCheckResponse call() {
        var state = guard.state();
        boolean up = state.known() || !config.readinessRequiresState();
        return HealthCheckResponse.named("write-guard")
                .status(up)
                .withData("stateKnown", state.known())
                .withData("mode", state.mode().name())
                .withData("epoch", state.epoch())
                .withData("inFlight", guard.inFlight())
                .withData("appliedAt", guard.stateAppliedAt().toEpochMilli())
                .withData("stateTopic", config.stateTopic())
                .build();
    }
}
