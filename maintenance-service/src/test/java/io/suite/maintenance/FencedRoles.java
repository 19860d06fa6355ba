package io.suite.maintenance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An app role and a writer role of one test run, created through suite_fencer (as the fence's
 * own connection would see them), and a table in maintenance_test that only the writer role may
 * write: what a service's database looks like to the fence.
 */
final class FencedRoles implements AutoCloseable {
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/maintenance_test";
    final String app;
    final String writer;

    FencedRoles(String app, String writer) throws SQLException {
        this.app = app;
        this.writer = writer;
        try (Connection c = connect("suite_fencer", "suite_fencer");
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + writer + " NOLOGIN");
            s.execute("CREATE ROLE " + app + " LOGIN PASSWORD '" + app + "'");
            s.execute("GRANT " + writer + " TO " + app);
        }
        try (Connection c = connect("suite", "suite");
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + app);
            s.execute("CREATE TABLE " + app + ".moves (note text)");
            s.execute("GRANT USAGE ON SCHEMA " + app + " TO " + app);
            s.execute("GRANT SELECT ON " + app + ".moves TO " + app);
            s.execute("GRANT INSERT ON " + app + ".moves TO " + writer);
        }
    }

    /** A session of the app role (what the service serves with). */
    Connection session() throws SQLException {
        return connect(app, app);
    }

    int insert(String note) throws SQLException {
        try (Connection c = session();
                Statement s = c.createStatement()) {
            return s.executeUpdate("INSERT INTO " + app + ".moves VALUES ('" + note + "')");
        }
    }

    long count(String note) throws SQLException {
        try (Connection c = session();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM " + app + ".moves WHERE note = '" + note + "'")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        // a session a failed test left open would hold its locks and the DROP SCHEMA would wait forever
        try (Connection c = connect("suite_fencer", "suite_fencer");
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = '" + app + "'");
        }
        try (Connection c = connect("suite", "suite");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + app + " CASCADE");
        }
        try (Connection c = connect("suite_fencer", "suite_fencer");
                Statement s = c.createStatement()) {
            s.execute("DROP ROLE " + app);
            s.execute("DROP ROLE " + writer);
        }
    }

    private static Connection connect(String user, String password) throws SQLException {
        return DriverManager.getConnection(URL, user, password);
    }
}
