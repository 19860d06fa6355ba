package io.suite.maintenance;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Kafka answers (PostgreSQL is checked by the reactive datasource's own readiness check). */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
    private final KafkaTopics topics;
    private final MaintenanceConfig config;

    KafkaReadiness(KafkaTopics topics, MaintenanceConfig config) {
        this.topics = topics;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka")
                .status(topics.reachable())
                .withData("bootstrap", config.bootstrapServers())
                .build();
    }
}
