package io.suite.deploy;

import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonParser;

import io.kubernetes.client.openapi.models.V1NetworkPolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prod's physical backups (k8s/overlays/prod/postgres-backup.yaml): suite-db archives every WAL segment and
 * takes a daily base backup into S3-compatible storage through the Barman Cloud Plugin, with no credential
 * shipped, and the recovery example (k8s/recovery) reads exactly that archive back into a new cluster.
 * Fails when the archiving or the schedule disappears from the prod overlay.
 */
class PointInTimeRecoveryTest {
    static final String PLUGIN = "barman-cloud.cloudnative-pg.io";
    static final String CREDENTIALS = "suite-db-backup-s3";

    static List<ObjectNode> prod;
    static JsonNode cluster;
    static List<ObjectNode> recovery;

    @BeforeAll
    static void render() {
        prod = kustomize("k8s/overlays/prod");
        cluster = ManifestsTest.find(prod, "Cluster", "suite-db");
        recovery = kustomize("k8s/recovery");
    }

    static List<ObjectNode> kustomize(String dir) {
        List<String> cmd = new ArrayList<>(ManifestsTest.kustomizeCommand());
        cmd.add(Repo.path(dir).toString());
        Command result = Command.run(Duration.ofSeconds(60), cmd);
        assertEquals(0, result.exitCode(), "kustomize could not render " + dir + ": " + result.describe());
        return Repo.yamlDocuments(result.stdout());
    }

    /** The plugin entry of a Cluster that archives its WAL (isWALArchiver), or a missing node. */
    static JsonNode walArchiver(JsonNode cluster) {
        for (JsonNode plugin : cluster.path("spec").path("plugins")) {
            if (plugin.path("name").asText().equals(PLUGIN)
                    && plugin.path("isWALArchiver").asBoolean()
                    && plugin.path("enabled").asBoolean(true)) {
                return plugin;
            }
        }
        return MissingNode.getInstance();
    }

    @Test
    void prodArchivesEveryWalSegmentToObjectStorageOutsideTheCluster() {
        JsonNode archiver = walArchiver(cluster);
        assertFalse(
                archiver.isMissingNode(),
                "suite-db archives no WAL: spec.plugins has no enabled " + PLUGIN + " with isWALArchiver");
        assertTrue(
                cluster.path("spec").path("backup").path("barmanObjectStore").isMissingNode(),
                "the in-tree barmanObjectStore is deprecated since CloudNativePG 1.26: the plugin archives");
        String storeName = archiver.path("parameters").path("barmanObjectName").asText();
        JsonNode store = ManifestsTest.find(prod, "ObjectStore", storeName).path("spec");
        JsonNode configuration = store.path("configuration");

        // where: the two values an operator edits in postgres-backup-target.yaml, which is not deployed itself
        JsonNode target = Repo.yaml(Repo.path("k8s/overlays/prod/postgres-backup-target.yaml"))
                .path("data");
        assertEquals(
                target.path("endpointURL").asText(),
                configuration.path("endpointURL").asText());
        assertEquals(
                target.path("destinationPath").asText(),
                configuration.path("destinationPath").asText());
        assertTrue(configuration.path("destinationPath").asText().startsWith("s3://"), configuration.toString());
        assertTrue(
                ManifestsTest.kind(prod, "ConfigMap").stream()
                        .noneMatch(c -> ManifestsTest.NAME.apply(c).equals("postgres-backup-target")),
                "postgres-backup-target is configuration for kustomize (local-config), not a ConfigMap to deploy");

        // with credentials from a Secret that prod does not render (no default credential)
        for (String key : List.of("accessKeyId", "secretAccessKey")) {
            assertEquals(
                    CREDENTIALS,
                    configuration.path("s3Credentials").path(key).path("name").asText(),
                    key);
        }
        assertTrue(ManifestsTest.kind(prod, "Secret").isEmpty(), "prod renders a Secret");

        assertFalse(configuration.path("wal").path("compression").asText().isEmpty(), "WAL is archived uncompressed");
        assertTrue(store.path("retentionPolicy").asText().matches("[1-9][0-9]*[dwm]"), "no retention policy: " + store);
    }

    @Test
    void prodTakesADailyBaseBackupAwayFromTheNightlyLogicalBackup() {
        List<ObjectNode> schedules = ManifestsTest.kind(prod, "ScheduledBackup").stream()
                .filter(s ->
                        s.path("spec").path("cluster").path("name").asText().equals("suite-db"))
                .toList();
        assertEquals(1, schedules.size(), "one ScheduledBackup of suite-db: " + schedules);
        JsonNode spec = schedules.get(0).path("spec");
        assertEquals("plugin", spec.path("method").asText());
        assertEquals(PLUGIN, spec.path("pluginConfiguration").path("name").asText());
        assertFalse(spec.path("suspend").asBoolean(), "the ScheduledBackup is suspended");

        // CloudNativePG's cron and Quarkus' both start with seconds: sec min hour day month weekday
        String[] physical = spec.path("schedule").asText().split("\\s+");
        assertEquals(6, physical.length, spec.path("schedule").asText());
        assertEquals(
                List.of("*", "*", "*"),
                List.of(physical).subList(3, 6),
                "not daily: " + spec.path("schedule").asText());
        String logicalCron = ManifestsTest.find(prod, "ConfigMap", "suite-config")
                .path("data")
                .path("BACKUP_SCHEDULE_CRON")
                .asText();
        int logical = Integer.parseInt(logicalCron.split("\\s+")[2]);
        int base = Integer.parseInt(physical[2]);
        int apart = Math.min(Math.abs(base - logical), 24 - Math.abs(base - logical));
        assertTrue(
                apart >= 2,
                "the base backup (" + base + ":00) runs within two hours of backup-service's logical backup (" + logical
                        + ":00)");
    }

    @Test
    void theRecoveryExampleRestoresProdsArchiveToAnInstantIntoANewCluster() throws IOException {
        List<ObjectNode> objects = recovery;
        ObjectNode recovered = ManifestsTest.find(objects, "Cluster", "suite-db-pitr");
        assertEquals(List.of(), CustomResources.CRDS.validate(recovered));
        ObjectNode policy = ManifestsTest.find(objects, "NetworkPolicy", "suite-db-pitr-ingress");
        V1NetworkPolicy.validateJsonElement(JsonParser.parseString(policy.toString()));
        assertEquals(2, objects.size(), "the example holds the Cluster and its NetworkPolicy");
        for (ObjectNode o : objects) {
            assertEquals(
                    cluster.path("metadata").path("namespace").asText(),
                    o.path("metadata").path("namespace").asText(),
                    ManifestsTest.id(o) + " is not in prod's namespace, where the ObjectStore and the services are");
        }

        JsonNode spec = recovered.path("spec");
        JsonNode recovery = spec.path("bootstrap").path("recovery");
        OffsetDateTime.parse(recovery.path("recoveryTarget").path("targetTime").asText()); // RFC 3339, with its offset
        String source = recovery.path("source").asText();
        JsonNode external = null;
        for (JsonNode e : spec.path("externalClusters")) {
            if (e.path("name").asText().equals(source)) {
                external = e;
            }
        }
        assertTrue(external != null, "bootstrap.recovery.source " + source + " names no external cluster");
        JsonNode read = external.path("plugin");
        assertEquals(PLUGIN, read.path("name").asText());
        assertEquals(
                walArchiver(cluster).path("parameters").path("barmanObjectName").asText(),
                read.path("parameters").path("barmanObjectName").asText(),
                "reads another ObjectStore than prod writes");
        assertEquals("suite-db", read.path("parameters").path("serverName").asText(), "reads another server's archive");

        // its own archive goes beside suite-db's, never into it
        JsonNode writes = walArchiver(recovered).path("parameters");
        assertFalse(writes.isMissingNode(), "the recovered cluster archives no WAL");
        assertNotEquals(
                "suite-db", writes.path("serverName").asText("suite-db-pitr"), "would archive into suite-db's history");

        // WAL replays only into the same major version, with at least the primary's max_connections
        assertEquals(
                cluster.path("spec").path("imageName").asText(),
                spec.path("imageName").asText());
        assertTrue(spec.path("postgresql")
                        .path("parameters")
                        .path("max_connections")
                        .asInt()
                >= cluster.path("spec")
                        .path("postgresql")
                        .path("parameters")
                        .path("max_connections")
                        .asInt());

        // its pods get the ingress suite-db's have (the namespace denies all other)
        assertEquals(
                "suite-db-pitr",
                policy.path("spec")
                        .path("podSelector")
                        .path("matchLabels")
                        .path("cnpg.io/cluster")
                        .asText());
        JsonNode base = ManifestsTest.find(prod, "NetworkPolicy", "postgres-ingress")
                .path("spec")
                .path("ingress");
        assertEquals(
                base.toString().replace("\"suite-db\"", "\"suite-db-pitr\""),
                policy.path("spec").path("ingress").toString(),
                "the recovered cluster's ingress differs from suite-db's (postgres-ingress)");
    }
}
