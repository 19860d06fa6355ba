package io.suite.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.suite.testing.PrivatePostgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * posting's database as the checks see it, read directly (not through the service whose promise
 * is under test): what was committed, whether anything is doubled or negative.
 */
final class PostingDatabase {
    private final PrivatePostgres pg;

    PostingDatabase(PrivatePostgres pg) {
        this.pg = pg;
    }

    /** What this run committed: its documents, and the count and sum of its Stock movements. */
    record Fingerprint(long documents, long movements, String quantity) {}

    Fingerprint fingerprint(String prefix) {
        try (Connection c = connect();
                PreparedStatement docs = c.prepareStatement("select count(*) from documents where number like ?");
                PreparedStatement moves = c.prepareStatement(
                        "select count(*), coalesce(sum(quantity), 0)::text from stock_movements where item like ?")) {
            docs.setString(1, prefix + "%");
            moves.setString(1, prefix + "%");
            long documents = single(docs.executeQuery());
            try (ResultSet r = moves.executeQuery()) {
                r.next();
                return new Fingerprint(documents, r.getLong(1), r.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every accepted document is there exactly once, and no Idempotency-Key made two documents. */
    void assertNothingLostOrDoubled(Ledger ledger) {
        try (Connection c = connect();
                PreparedStatement byId = c.prepareStatement("select count(*) from documents where id = ?::uuid");
                PreparedStatement byNumber = c.prepareStatement("select count(*) from documents where number = ?")) {
            List<String> broken = new ArrayList<>();
            for (Ledger.Posting p : ledger.postings()) {
                if (p.accepted()) {
                    byId.setString(1, p.id());
                    if (single(byId.executeQuery()) != 1) {
                        broken.add("accepted but not stored once: " + p);
                    }
                }
                byNumber.setString(1, p.key());
                if (single(byNumber.executeQuery()) > 1) {
                    broken.add("stored twice: " + p);
                }
            }
            assertTrue(broken.isEmpty(), String.join("\n", broken));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No Stock balance of this run below zero, and every balance equals the sum of its movements. */
    void assertNoOversell(String prefix) {
        try (Connection c = connect();
                PreparedStatement negative =
                        c.prepareStatement("select count(*) from stock_balances where item like ? and quantity < 0");
                PreparedStatement mismatched = c.prepareStatement("""
                        select count(*) from stock_balances b
                         where b.item like ?
                           and b.quantity <> (select coalesce(sum(m.quantity), 0) from stock_movements m
                                               where m.item = b.item and m.warehouse = b.warehouse)""")) {
            negative.setString(1, prefix + "%");
            mismatched.setString(1, prefix + "%");
            assertEquals(0, single(negative.executeQuery()), "negative balances");
            assertEquals(0, single(mismatched.executeQuery()), "balances that differ from their movements");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Stock balance's row lock held by a session of the test's own, in an open transaction. */
    final class RowLock implements AutoCloseable {
        private final Connection held;
        private final String xid;

        private RowLock(Connection held, String xid) {
            this.held = held;
            this.xid = xid;
        }

        /** True once some session waits for this row (it waits for the holder's transaction id). */
        boolean hasWaiter() {
            try (Connection c = connect();
                    PreparedStatement s = c.prepareStatement(
                            "select count(*) from pg_locks where not granted and locktype = 'transactionid' and transactionid::text = ?")) {
                s.setString(1, xid);
                return single(s.executeQuery()) > 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Lets go of the row (rolls back): the waiter, if its session still lives, goes on. */
        @Override
        public void close() throws SQLException {
            if (!held.isClosed()) {
                held.rollback();
                held.close();
            }
        }
    }

    RowLock holdStockRow(String item, String warehouse) {
        try {
            Connection c = connect();
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(
                    "select quantity from stock_balances where item = ? and warehouse = ? for update")) {
                s.setString(1, item);
                s.setString(2, warehouse);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalStateException("no Stock balance for " + item + "/" + warehouse);
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("select pg_current_xact_id()::text");
                    ResultSet r = s.executeQuery()) {
                r.next();
                return new RowLock(c, r.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connect() throws SQLException {
        return pg.connect("posting");
    }

    private static long single(ResultSet r) throws SQLException {
        try (r) {
            r.next();
            return r.getLong(1);
        }
    }
}
