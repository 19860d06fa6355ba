package io.suite.maintenance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.suite.access.KafkaCredentials;

/** Kafka admin: makes sure the topics exist (the state topic compacted) and tells whether Kafka answers. */
@ApplicationScoped
public class KafkaTopics {
    private final MaintenanceConfig config;

    KafkaTopics(MaintenanceConfig config) {
        this.config = config;
    }

    private Admin admin;
    private volatile boolean ensured;
    private volatile Uuid stateTopicId;

    synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
            admin = Admin.create(KafkaCredentials.addTo(p));
        }
        return admin;
    }

    /** Creates the state topic (compacted) and the status topic (short retention) if missing. Blocking. */
    public void ensure() {
        if (ensured) {
            return;
        }
        try {
            Set<String> names = admin().listTopics().names().get(5, TimeUnit.SECONDS);
            create(names, stateTopic());
            create(
                    names,
                    new NewTopic(config.statusTopic(), Optional.of(1), Optional.empty())
                            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000")));
            ensured = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka unreachable at " + config.bootstrapServers() + ": " + e, e);
        }
    }

    private void create(Set<String> existing, NewTopic topic) throws InterruptedException, TimeoutException {
        if (existing.contains(topic.name())) {
            return;
        }
        try {
            admin().createTopics(List.of(topic)).all().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + topic.name(), e.getCause());
            }
        }
    }

    private NewTopic stateTopic() {
        // Confirmed every second: a segment an hour lets compaction keep it to about one record.
        return new NewTopic(config.stateTopic(), Optional.of(1), Optional.empty())
                .configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.SEGMENT_MS_CONFIG,
                        "3600000"));
    }

    /**
     * Makes sure the state topic exists and is compacted, before each confirmation: a deleted
     * topic is created again at once, and one that a client's metadata request re-created with
     * the broker's defaults (auto-create) is made compacted. Blocking.
     */
    public void ensureStateTopic() {
        String name = config.stateTopic();
        try {
            TopicDescription d;
            try {
                d = admin().describeTopics(List.of(name))
                        .allTopicNames()
                        .get(5, TimeUnit.SECONDS)
                        .get(name);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                create(Set.of(), stateTopic());
                return;
            }
            if (!d.topicId().equals(stateTopicId)) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, name);
                Config c = admin().describeConfigs(List.of(topic))
                        .all()
                        .get(5, TimeUnit.SECONDS)
                        .get(topic);
                ConfigEntry policy = c.get(TopicConfig.CLEANUP_POLICY_CONFIG);
                if (policy == null || !TopicConfig.CLEANUP_POLICY_COMPACT.equals(policy.value())) {
                    admin().incrementalAlterConfigs(Map.of(
                                    topic,
                                    List.of(new AlterConfigOp(
                                            new ConfigEntry(
                                                    TopicConfig.CLEANUP_POLICY_CONFIG,
                                                    TopicConfig.CLEANUP_POLICY_COMPACT),
                                            AlterConfigOp.OpType.SET))))
                            .all()
                            .get(5, TimeUnit.SECONDS);
                }
                stateTopicId = d.topicId();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot check " + name + ": " + e, e);
        }
    }

    /** True when the cluster answers within 2 s. Blocking. */
    public boolean reachable() {
        try {
            admin().describeCluster().clusterId().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
