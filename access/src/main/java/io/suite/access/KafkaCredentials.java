package io.suite.access;

import java.util.List;
import java.util.Properties;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Who a service is to Kafka, for the clients a service builds by hand (admin, producers and consumers
 * outside SmallRye Reactive Messaging, which reads the same {@code kafka.*} keys by itself). On Kubernetes
 * each service is its own SCRAM user with ACLs (a Strimzi KafkaUser): {@code KAFKA_SECURITY_PROTOCOL},
 * {@code KAFKA_SASL_MECHANISM} and {@code KAFKA_SASL_JAAS_CONFIG} (from the user's Secret) set them. Locally
 * none is set and Kafka is plaintext.
 */
public final class KafkaCredentials {
    static final List<String> KEYS = List.of("security.protocol", "sasl.mechanism", "sasl.jaas.config");

    private KafkaCredentials() {}

    /** {@code client} with the configured {@code kafka.security.protocol}, {@code kafka.sasl.*} added. */
    public static Properties addTo(Properties client) {
        Config config = ConfigProvider.getConfig();
        for (String key : KEYS) {
            config.getOptionalValue("kafka." + key, String.class).ifPresent(value -> client.put(key, value));
        }
        return client;
    }
}
