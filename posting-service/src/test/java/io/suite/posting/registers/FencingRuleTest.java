package io.suite.posting.registers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fencing rule as a table, run against its Java form and its SQL form in PostgreSQL. */
class FencingRuleTest {
    private static Connection db;

    @BeforeAll
    static void connect() throws SQLException {
        String url =
                "jdbc:postgresql://" + env("DB_HOST", "127.0.0.1") + ":" + env("DB_PORT", "5432") + "/posting_test";
        db = DriverManager.getConnection(url, env("DB_USER", "posting_app"), env("DB_PASSWORD", "posting_app"));
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    @ParameterizedTest(name = "row written by {0}, holder of {1}: may write = {2}")
    @CsvSource({
        "0, 0, true", // a row no grant has written yet
        "0, 7, true",
        "4, 5, true", // the previous holder wrote it: the next grant may
        "5, 5, true", // the holder wrote it itself (a retried statement, a batch's second write)
        "6, 5, false", // a later grant wrote it: this holder's lease ran out
        "9223372036854775807, 1, false"
    })
    void aHolderMayWriteARowNoLaterGrantHasWritten(long rowToken, long holderToken, boolean admits)
            throws SQLException {
        assertEquals(admits, FencingRule.admits(rowToken, holderToken));
        try (PreparedStatement s =
                db.prepareStatement("SELECT " + FencingRule.admits("cast(? as bigint)", "cast(? as bigint)"))) {
            s.setLong(1, rowToken);
            s.setLong(2, holderToken);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                assertEquals(admits, r.getBoolean(1));
            }
        }
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }
}
