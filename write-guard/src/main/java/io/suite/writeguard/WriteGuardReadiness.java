package io.suite.writeguard;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once this write path has read the maintenance state, and not while its READ_WRITE lease has
 * ended (state-stale): in both cases it refuses writes, so traffic is better sent to another replica.
 */
@Readiness
@ApplicationScoped
class WriteGuardReadiness implements HealthCheck {
    private final WriteGuard guard;
    private final WriteGuardConfig config;
    private final StateFollower follower;

    WriteGuardReadiness(WriteGuard guard, WriteGuardConfig config, StateFollower follower) {
        this.guard = guard;
        this.config = config;
        this.follower = follower;
    }

    @Override
    public HealthCheckResponse call() {
        var state = guard.state();
        boolean stale = guard.stateStale();
        boolean up = (state.known() && !stale) || !config.readinessRequiresState();
        return HealthCheckResponse.named("write-guard")
                .status(up)
                .withData("stateKnown", state.known())
                .withData("stateStale", stale)
                .withData(
                        "leaseEnd",
                        guard.leaseEnd() == null ? 0L : guard.leaseEnd().toEpochMilli())
                .withData("stateTopicRead", follower.topicRead())
                .withData("mode", state.mode().name())
                .withData("epoch", state.epoch())
                .withData("inFlight", guard.inFlight())
                .withData("appliedAt", guard.stateAppliedAt().toEpochMilli())
                .withData("stateTopic", config.stateTopic())
                .build();
    }
}
