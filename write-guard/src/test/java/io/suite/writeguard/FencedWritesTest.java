package io.suite.writeguard;

import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which failures are the database fence refusing a write (and so a 503 fenced, not a 500). */
class FencedWritesTest {
    record Case(String why, Throwable failure, boolean fenced) {}

    @Test
    void whichFailuresAreTheFence() {
        List<Case> cases = List.of(
                new Case(
                        "JDBC: permission denied",
                        new SQLException("permission denied for table documents", "42501"),
                        true),
                new Case(
                        "wrapped, as Hibernate Reactive reports it",
                        new RuntimeException("error executing SQL statement", new SQLException("denied", "42501")),
                        true),
                new Case(
                        "the reactive client's message",
                        new IllegalStateException("ERROR: permission denied for table documents (42501)"),
                        true),
                new Case("a check violation", new SQLException("new row violates check", "23514"), false),
                new Case("a lost connection", new SQLException("terminating connection", "57P01"), false),
                new Case("no SQL at all", new IllegalStateException("boom"), false),
                new Case("nothing", null, false));
        for (Case c : cases) {
            assertEquals(c.fenced(), FencedWrites.refusedByFence(c.failure()), c.why());
        }
    }
}
