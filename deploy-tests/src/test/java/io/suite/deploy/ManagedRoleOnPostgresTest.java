package io.suite.deploy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.suite.testing.Unique;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Verification's scratch databases with the role CloudNativePG would create for backup-service: the rendered
 * managed role's attributes (login, createdb, inherit) made into a throwaway role on the real PostgreSQL the way
 * CloudNativePG's CREATE ROLE does, which then creates a scratch database, restores into it (creates a table in
 * its public schema) and drops it, as backup-service's Verifier does. Without createdb the same role is refused,
 * which is how every backup on Kubernetes would have failed.
 */
class ManagedRoleOnPostgresTest {

    /** backup-service's managed role in the rendered dev overlay (its DB_USER Secret's username). */
    static JsonNode backupRole() {
        List<String> cmd = new ArrayList<>(ManifestsTest.kustomizeCommand());
        cmd.add(Repo.path("k8s/overlays/dev").toString());
        Command rendered = Command.run(Duration.ofSeconds(60), cmd);
        assertEquals(0, rendered.exitCode(), rendered.describe());
        List<ObjectNode> objects = Repo.yamlDocuments(rendered.stdout());
        String secret = ManifestsTest.secretEnv(ManifestsTest.find(objects, "Deployment", "backup-service"))
                .get("DB_USER")
                .split("/")[0];
        String role = ManifestsTest.DATABASE_SECRETS.get(secret);
        for (JsonNode r : ManifestsTest.find(objects, "Cluster", "suite-db").at("/spec/managed/roles")) {
            if (r.path("name").asText().equals(role)) {
                return r;
            }
        }
        throw new AssertionError(role + " is not a managed role of the Cluster");
    }

    /** CREATE ROLE with the attributes of a CloudNativePG managed role (its defaults: login false, createdb false, inherit true). */
    static String createRole(String name, JsonNode spec) {
        return "CREATE ROLE " + name + (spec.path("login").asBoolean(false) ? " LOGIN" : " NOLOGIN")
                + (spec.path("createdb").asBoolean(false) ? " CREATEDB" : " NOCREATEDB")
                + (spec.path("inherit").asBoolean(true) ? " INHERIT" : " NOINHERIT")
                + " PASSWORD '" + name + "'";
    }

    @Test
    void theRenderedBackupRoleCreatesRestoresIntoAndDropsAScratchDatabase() throws SQLException {
        JsonNode spec = backupRole();
        String role = Unique.name("cnpg").replace('-', '_');
        String scratch = role + "_verify";
        DatabaseRolesTest.execute("suite_fencer", "postgres", createRole(role, spec));
        try {
            DatabaseRolesTest.execute(role, "postgres", "CREATE DATABASE " + scratch);
            try (Connection c = DatabaseRolesTest.connect(role, scratch)) {
                DatabaseRolesTest.execute(c, "CREATE TABLE public.stock (id bigint PRIMARY KEY, quantity int)");
                DatabaseRolesTest.execute(c, "INSERT INTO public.stock VALUES (1, 5)");
                assertEquals(5, DatabaseRolesTest.count(c, "SELECT quantity FROM public.stock"));
            }
            DatabaseRolesTest.execute(role, "postgres", "DROP DATABASE " + scratch + " WITH (FORCE)");
        } finally {
            DatabaseRolesTest.execute("suite", "postgres", "DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
            DatabaseRolesTest.execute("suite_fencer", "postgres", "DROP ROLE IF EXISTS " + role);
        }
    }

    /** The control: the same role without createdb (CloudNativePG's default) cannot make a scratch database. */
    @Test
    void withoutCreatedbTheSameRoleIsRefused() throws SQLException {
        ObjectNode spec = backupRole().deepCopy();
        spec.remove("createdb");
        String role = Unique.name("cnpg").replace('-', '_');
        DatabaseRolesTest.execute("suite_fencer", "postgres", createRole(role, spec));
        try {
            SQLException refused = assertThrows(
                    SQLException.class,
                    () -> DatabaseRolesTest.execute(role, "postgres", "CREATE DATABASE " + role + "_verify"));
            assertEquals(DatabaseRolesTest.PERMISSION_DENIED, refused.getSQLState(), refused.getMessage());
        } finally {
            DatabaseRolesTest.execute("suite_fencer", "postgres", "DROP ROLE IF EXISTS " + role);
        }
    }
}
