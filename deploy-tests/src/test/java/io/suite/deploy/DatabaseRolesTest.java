package io.suite.deploy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.suite.testing.Unique;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Least privilege on the real PostgreSQL, set up by the very SQL of infra/postgres. Two throwaway services, made
 * by roles.sql (run as suite_fencer, the fence's own CREATEROLE role) and grants.sql (run by each owner) in
 * databases of their own, so that fencing them disturbs nobody; then the suite's real roles, where looking
 * changes nothing. Passwords are the role names, as locally everywhere.
 */
class DatabaseRolesTest {
    static final String HOST = "127.0.0.1";
    static final String RUN = Unique.name("lp").replace('-', '_');
    /** "posting": owner, app, and a writer role the app holds its write privileges through. */
    static final String OWNER = RUN + "_owner";

    static final String APP = RUN + "_app";
    static final String WRITER = RUN + "_writer";
    static final String DB = RUN + "_posting";
    /** "maintenance": its app writes directly. */
    static final String OTHER_OWNER = RUN + "_m_owner";

    static final String OTHER_APP = RUN + "_m_app";
    static final String OTHER_DB = RUN + "_maintenance";
    static final String PERMISSION_DENIED = "42501";

    @BeforeAll
    static void twoThrowawayServices() throws SQLException {
        psql("suite_fencer", "postgres", "roles.sql", Map.of("owner", OWNER, "app", APP, "writer", WRITER));
        psql(
                "suite_fencer",
                "postgres",
                "roles.sql",
                Map.of("owner", OTHER_OWNER, "app", OTHER_APP, "writer", OTHER_APP));
        // the local administrator makes (and drops) the databases, as ./suite and the tests' setup do
        execute("suite_fencer", "postgres", "GRANT " + OWNER + ", " + OTHER_OWNER + " TO suite");
        execute("suite", "postgres", "CREATE DATABASE " + DB + " OWNER " + OWNER);
        execute("suite", "postgres", "CREATE DATABASE " + OTHER_DB + " OWNER " + OTHER_OWNER);
        psql(OWNER, DB, "grants.sql", Map.of("owner", OWNER, "app", APP, "writer", WRITER, "reader", APP));
        psql(
                OTHER_OWNER,
                OTHER_DB,
                "grants.sql",
                Map.of("owner", OTHER_OWNER, "app", OTHER_APP, "writer", OTHER_APP, "reader", OTHER_APP));
        // migrations after the grants: the default privileges must cover what they create
        execute(OWNER, DB, "CREATE TABLE stock (id bigserial PRIMARY KEY, quantity int NOT NULL)");
        execute(OTHER_OWNER, OTHER_DB, "CREATE TABLE state (id bigserial PRIMARY KEY, mode text NOT NULL)");
    }

    @AfterAll
    static void dropThem() throws SQLException {
        execute("suite", "postgres", "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        execute("suite", "postgres", "DROP DATABASE IF EXISTS " + OTHER_DB + " WITH (FORCE)");
        execute(
                "suite_fencer",
                "postgres",
                "DROP ROLE IF EXISTS " + String.join(", ", APP, WRITER, OWNER, OTHER_APP, OTHER_OWNER));
    }

    @Test
    void theAppReadsAndWritesWhatLaterMigrationsCreate() throws SQLException {
        try (Connection app = connect(APP, DB)) {
            long id = count(app, "INSERT INTO stock (quantity) VALUES (5) RETURNING id");
            execute(app, "UPDATE stock SET quantity = quantity - 1 WHERE id = " + id);
            assertEquals(4, count(app, "SELECT quantity FROM stock WHERE id = " + id));
            execute(app, "DELETE FROM stock WHERE id = " + id);
        }
    }

    @Test
    void theAppCannotCreateAlterOrDropAnything() throws SQLException {
        try (Connection app = connect(APP, DB)) {
            assertDenied(app, "CREATE TABLE intruder (id int)");
            assertDenied(app, "CREATE SCHEMA intruder");
            assertDenied(app, "ALTER TABLE stock ADD COLUMN intruder int");
            assertDenied(app, "DROP TABLE stock");
        }
    }

    @Test
    void noServiceRoleReadsOrWritesAnotherServicesDatabase() throws SQLException {
        try (Connection app = connect(APP, OTHER_DB)) {
            assertDenied(app, "INSERT INTO state (mode) VALUES ('READ_WRITE')");
            assertDenied(app, "SELECT count(*) FROM state");
            assertDenied(app, "CREATE TABLE intruder (id int)");
        }
        try (Connection other = connect(OTHER_APP, DB)) {
            assertDenied(other, "INSERT INTO stock (quantity) VALUES (1)");
            assertDenied(other, "SELECT count(*) FROM stock");
        }
        try (Connection other = connect(OTHER_APP, OTHER_DB)) {
            execute(other, "INSERT INTO state (mode) VALUES ('READ_ONLY')");
        }
    }

    /** The database fence of CONTRACT.md, as maintenance-service applies it, through suite_fencer. */
    @Test
    void revokingTheWriterRoleFencesTheAppEvenInItsOpenSessions() throws SQLException {
        try (Connection app = connect(APP, DB);
                Connection other = connect(APP, DB)) {
            execute(app, "INSERT INTO stock (quantity) VALUES (1)");
            execute("suite_fencer", "postgres", "REVOKE " + WRITER + " FROM " + APP);
            try {
                assertDenied(app, "INSERT INTO stock (quantity) VALUES (1)");
                assertDenied(app, "UPDATE stock SET quantity = 0");
                assertDenied(app, "SELECT id FROM stock FOR UPDATE");
                assertTrue(count(app, "SELECT count(*) FROM stock") >= 1, "reads go on");
                // ... and its sessions can be ended (pg_signal_backend)
                execute(
                        "suite_fencer",
                        "postgres",
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + APP + "'");
                await().atMost(Duration.ofSeconds(10)).until(() -> !other.isValid(1));
            } finally {
                execute("suite_fencer", "postgres", "GRANT " + WRITER + " TO " + APP);
            }
        }
        try (Connection app = connect(APP, DB)) {
            execute(app, "INSERT INTO stock (quantity) VALUES (1)");
        }
    }

    @Test
    void aRerunOfTheSetupNeverLiftsAFence() throws SQLException {
        execute("suite_fencer", "postgres", "REVOKE " + WRITER + " FROM " + APP);
        try {
            psql("suite_fencer", "postgres", "roles.sql", Map.of("owner", OWNER, "app", APP, "writer", WRITER));
            psql(OWNER, DB, "grants.sql", Map.of("owner", OWNER, "app", APP, "writer", WRITER, "reader", APP));
            try (Connection app = connect(APP, DB)) {
                assertDenied(app, "INSERT INTO stock (quantity) VALUES (1)");
            }
        } finally {
            execute("suite_fencer", "postgres", "GRANT " + WRITER + " TO " + APP);
        }
    }

    /** The suite's own roles (./suite infra), on the tests' databases; every object made here is unique and dropped. */
    @Test
    void theSuitesRolesAreLeastPrivilege() throws SQLException {
        String table = RUN + "_probe";
        execute("maintenance_owner", "maintenance_test", "CREATE TABLE " + table + " (id int)");
        execute("posting_owner", "posting_test", "CREATE TABLE " + table + " (id int)");
        try {
            try (Connection posting = connect("posting_app", "maintenance_test")) {
                assertDenied(posting, "INSERT INTO " + table + " VALUES (1)");
            }
            try (Connection posting = connect("posting_app", "posting_test")) {
                assertDenied(posting, "CREATE TABLE " + RUN + "_intruder (id int)");
                execute(posting, "INSERT INTO " + table + " VALUES (1)");
                assertTrue(
                        memberOf(posting, "posting_app", "posting_writer"),
                        "posting_app writes through posting_writer");
            }
            try (Connection maintenance = connect("maintenance_app", "maintenance_test")) {
                execute(maintenance, "INSERT INTO " + table + " VALUES (1)");
                assertDenied(maintenance, "CREATE TABLE " + RUN + "_intruder (id int)");
            }
            // backup_app reads both, writes neither; it restores posting only by taking on posting_owner's role
            try (Connection backup = connect("backup_app", "posting_test")) {
                assertEquals(1, count(backup, "SELECT count(*) FROM " + table));
                assertDenied(backup, "INSERT INTO " + table + " VALUES (2)");
                execute(backup, "SET ROLE posting_owner");
                execute(backup, "INSERT INTO " + table + " VALUES (2)");
            }
            try (Connection backup = connect("backup_app", "maintenance_test")) {
                assertEquals(1, count(backup, "SELECT count(*) FROM " + table));
                assertDenied(backup, "INSERT INTO " + table + " VALUES (2)");
                assertDenied(backup, "SET ROLE maintenance_owner");
            }
            try (Connection fencer = connect("suite_fencer", "maintenance_test")) {
                assertTrue(memberOf(fencer, "suite_fencer", "pg_signal_backend"));
                assertEquals(
                        1,
                        count(
                                fencer,
                                "SELECT count(*) FROM pg_roles WHERE rolname = 'suite_fencer' AND rolcreaterole"));
                assertDenied(fencer, "INSERT INTO " + table + " VALUES (3)");
            }
        } finally {
            execute("maintenance_owner", "maintenance_test", "DROP TABLE " + table);
            execute("posting_owner", "posting_test", "DROP TABLE " + table);
        }
    }

    // ---- helpers ----

    static Connection connect(String role, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":5432/" + database, role, role);
    }

    static void execute(String role, String database, String sql) throws SQLException {
        try (Connection c = connect(role, database)) {
            execute(c, sql);
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static boolean memberOf(Connection c, String role, String group) throws SQLException {
        return count(c, "SELECT count(*) WHERE pg_has_role('" + role + "', '" + group + "', 'MEMBER')") == 1;
    }

    static void assertDenied(Connection c, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> execute(c, sql), sql + " must be refused");
        assertEquals(PERMISSION_DENIED, e.getSQLState(), sql + ": " + e.getMessage());
    }

    /** One file of infra/postgres through psql, with its variables, as ./suite runs them. */
    static void psql(String role, String database, String file, Map<String, String> variables) {
        List<String> command = new ArrayList<>(List.of(
                "env",
                "PGPASSWORD=" + role,
                Command.require("psql", "Debian: apt-get install postgresql-client"),
                "-qX",
                "-h",
                HOST,
                "-U",
                role,
                "-d",
                database,
                "-f",
                Repo.path("infra/postgres/" + file).toString()));
        variables.forEach((k, v) -> command.addAll(List.of("-v", k + "=" + v)));
        Command result = Command.run(Duration.ofSeconds(60), command);
        assertEquals(0, result.exitCode(), file + " as " + role + ": " + result.describe());
        assertFalse(result.stderr().contains("ERROR"), result.describe());
    }
}
