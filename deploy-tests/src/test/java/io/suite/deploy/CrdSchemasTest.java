package io.suite.deploy;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict CRD schemas catch what the API server would prune silently or refuse, and keep open what is open. */
class CrdSchemasTest {
    static final CrdSchemas CRDS = CustomResources.CRDS;

    static JsonNode object(String yaml) throws IOException {
        return Repo.YAML.readTree(yaml);
    }

    @Test
    void strimziOneServesOnlyV1AndHasNoZooKeeper() throws IOException {
        JsonNode old = object("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: t}
                spec: {partitions: 1, replicas: 1}
                """);
        assertTrue(CustomResources.handles(old));
        assertFalse(CRDS.knows(old), "Strimzi 1.0 serves kafka.strimzi.io/v1 only");
        List<String> errors = CRDS.validate(object("""
                apiVersion: kafka.strimzi.io/v1
                kind: Kafka
                metadata: {name: k}
                spec:
                  kafka:
                    listeners: [{name: plain, port: 9092, type: internal, tls: false}]
                    config: {any.broker.setting: 1}
                  zookeeper: {replicas: 3}
                """));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("zookeeper"), errors.toString());
    }

    @Test
    void unknownFieldsDeepDownAreErrorsAndWrongTypesToo() throws IOException {
        List<String> errors = CRDS.validate(object("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: db}
                spec:
                  instances: "3"
                  storage: {size: 1Gi}
                  managed:
                    roles:
                      - {name: backup_app, login: true, createDB: true}
                """));
        assertTrue(errors.stream().anyMatch(e -> e.contains("createDB")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("instances")), errors.toString());
        assertEquals(2, errors.size(), errors.toString());
    }

    @Test
    void aValidObjectPasses() throws IOException {
        assertEquals(List.of(), CRDS.validate(object("""
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: m, labels: {release: prometheus}}
                spec:
                  selector: {matchLabels: {app: x}}
                  endpoints: [{port: http, path: /q/metrics, interval: 30s}]
                """)));
    }

    @Test
    void theBarmanCloudObjectStoreAndScheduledBackupAreCheckedToo() throws IOException {
        List<String> errors = CRDS.validate(object("""
                apiVersion: barmancloud.cnpg.io/v1
                kind: ObjectStore
                metadata: {name: s}
                spec:
                  configuration:
                    destinationPath: s3://b/
                    wal: {compression: gzip, compress: true}
                  retentionPolicy: 30 days
                """));
        assertTrue(errors.stream().anyMatch(e -> e.contains("compress")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("retentionPolicy")), errors.toString());
        assertEquals(2, errors.size(), errors.toString());
        errors = CRDS.validate(object("""
                apiVersion: postgresql.cnpg.io/v1
                kind: ScheduledBackup
                metadata: {name: b}
                spec: {cluster: {name: db}, schedule: "0 0 4 * * *", method: barmanCloud}
                """));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("method"), errors.toString());
    }
}
