package io.suite.posting.registers;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;
import io.suite.posting.Db;
import io.suite.posting.PostingProblems;
import io.suite.posting.Writes;

/**
 * The Stock register in SQL: movements, balances, and the balance write, which obeys {@link BalanceRule}
 * and {@link FencingRule}.
 */
public final class StockRegister {
    private static final int CHUNK = 1000;

    private StockRegister() {}

    /** A movement to insert for a document. */
    public record Row(UUID document, Movements.Stock movement) {}

    /**
     * Current balances of {@code rows} (missing rows are absent). {@code forUpdate}: the FOR_UPDATE
     * baseline creates missing rows and takes PostgreSQL row locks in a fixed order.
     */
    public static Uni<Map<StockKey, BigDecimal>> balances(Mutiny.Session s, List<StockKey> rows, boolean forUpdate) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(new HashMap<>());
        }
        List<Object> keys = new ArrayList<>();
        rows.forEach(k -> {
            keys.add(k.item());
            keys.add(k.warehouse());
        });
        String in = Db.tuples(rows.size(), 2, 1);
        Uni<Integer> create = forUpdate
                ? Db.update(
                        s,
                        "INSERT INTO stock_balances (item, warehouse, quantity) SELECT v.i, v.w, 0 FROM (VALUES " + in
                                + ") AS v(i, w) ORDER BY 1, 2 ON CONFLICT (item, warehouse) DO NOTHING",
                        keys)
                : Uni.createFrom().item(0);
        return create.chain(() -> Db.rows(
                        s,
                        "SELECT item, warehouse, quantity FROM stock_balances WHERE (item, warehouse) IN (" + in + ")"
                                + (forUpdate ? " ORDER BY item, warehouse FOR UPDATE" : ""),
                        keys))
                .map(result -> {
                    Map<StockKey, BigDecimal> out = new HashMap<>();
                    for (Object[] r : result) {
                        out.put(new StockKey((String) r[0], (String) r[1]), (BigDecimal) r[2]);
                    }
                    return out;
                });
    }

    /** Queues the movements' inserts in {@code w}. */
    public static void insertMovements(Writes w, List<Row> rows) {
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<Row> part = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            List<Object> p = new ArrayList<>();
            for (Row r : part) {
                p.add(r.document());
                p.add(r.movement().lineNo());
                p.add(r.movement().key().item());
                p.add(r.movement().key().warehouse());
                p.add(r.movement().quantity());
            }
            w.add(
                    "INSERT INTO stock_movements (document_id, line_no, item, warehouse, quantity) VALUES "
                            + Db.tuples(part.size(), 5, 1),
                    p);
        }
    }

    public static Uni<Void> deleteMovements(Mutiny.Session s, List<UUID> documents) {
        if (documents.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Db.update(
                        s,
                        "DELETE FROM stock_movements WHERE document_id IN " + Db.tuples(1, documents.size(), 1),
                        documents)
                .replaceWithVoid();
    }

    /**
     * Adds {@code changes} to the balances. With a fencing token a row is only written when no later
     * grant has written it ({@link FencingRule}); otherwise this holder lost its lease and
     * the whole transaction is refused (409 lock-lost), so nothing it computed is written.
     */
    public static Uni<Void> apply(
            Mutiny.Session s, Map<StockKey, BigDecimal> changes, Set<StockKey> existing, Long fencingToken) {
        List<Map.Entry<StockKey, BigDecimal>> rows = changes.entrySet().stream()
                .filter(e -> e.getValue().signum() != 0)
                .sorted(Map.Entry.comparingByKey())
                .toList();
        // UPDATE existing rows, INSERT new ones: an upsert would check the CHECK constraint on the
        // negative delta it proposes to insert. A new row only ever gets an increase (BalanceRule).
        List<Map.Entry<StockKey, BigDecimal>> updates =
                rows.stream().filter(e -> existing.contains(e.getKey())).toList();
        List<Map.Entry<StockKey, BigDecimal>> inserts =
                rows.stream().filter(e -> !existing.contains(e.getKey())).toList();
        long token = fencingToken == null ? 0L : fencingToken;
        Uni<Integer> updated = Uni.createFrom().item(0);
        if (!updates.isEmpty()) {
            List<Object> p = new ArrayList<>();
            String values = values(updates, token, p);
            String sql = "UPDATE stock_balances AS b SET quantity = b.quantity + v.q"
                    + (fencingToken == null ? "" : ", fencing_token = v.t")
                    + " FROM (VALUES " + values + ") AS v(i, w, q, t) WHERE b.item = v.i AND b.warehouse = v.w"
                    + (fencingToken == null ? "" : " AND " + FencingRule.admits("b.fencing_token", "v.t"));
            updated = Db.update(s, sql, p);
        }
        Uni<Integer> inserted = Uni.createFrom().item(0);
        if (!inserts.isEmpty()) {
            List<Object> p = new ArrayList<>();
            for (Map.Entry<StockKey, BigDecimal> e : inserts) {
                p.add(e.getKey().item());
                p.add(e.getKey().warehouse());
                p.add(e.getValue());
                p.add(token);
            }
            inserted = Db.update(
                    s,
                    "INSERT INTO stock_balances (item, warehouse, quantity, fencing_token) VALUES "
                            + Db.tuples(inserts.size(), 4, 1),
                    p);
        }
        Uni<Integer> ins = inserted;
        return updated.chain(u -> ins.invoke(i -> {
                    if (u + i < rows.size()) {
                        throw PostingProblems.lockLost(fencingToken);
                    }
                }))
                .replaceWithVoid();
    }

    /**
     * MANAGED, under the lock, as parts of the posting's one statement ({@link Writes#runAsOne}): adds
     * {@code changes} to the rows that exist, are not fenced by a later grant and stay non-negative
     * ({@link BalanceRule#keepsNonNegative}), and inserts every row the UPDATE left alone. A missing
     * row gets its increase; a row left alone that exists (fenced or short) fails the statement on the
     * primary key, and a decrease of a missing row on the CHECK constraint, so nothing of the posting is
     * written. {@link #current} then tells which. (So here the CHECK answers ordinary shortages, not only
     * bugs as the comment in V1__documents_and_registers.sql says: an applied migration is not edited.)
     *
     * <p>{@code token} null: the FOR_UPDATE_GROUPED peer, no managed lock. The statement first locks the
     * existing rows itself ({@code FOR UPDATE}, in row order, so two such statements never deadlock) and
     * writes no fencing token; the UPDATE re-checks the balance on the row as the lock left it (READ
     * COMMITTED), so the same condition keeps balance control against any other writer.
     */
    public static void addUnderLock(Writes w, Map<StockKey, BigDecimal> changes, Long token) {
        List<Map.Entry<StockKey, BigDecimal>> rows = changes.entrySet().stream()
                .filter(e -> e.getValue().signum() != 0)
                .sorted(Map.Entry.comparingByKey())
                .toList();
        if (rows.isEmpty()) {
            return;
        }
        boolean rowLocks = token == null;
        List<Object> p = new ArrayList<>();
        String values = values(rows, rowLocks ? 0L : token, p);
        if (rowLocks) {
            w.add(
                    "stock_locked",
                    "SELECT b.item, b.warehouse FROM stock_balances AS b, (VALUES " + values
                            + ") AS v(i, w, q, t) WHERE b.item = v.i AND b.warehouse = v.w"
                            + " ORDER BY b.item, b.warehouse FOR UPDATE OF b",
                    p);
        }
        w.add(
                "stock_updated",
                rowLocks
                        ? "UPDATE stock_balances AS b SET quantity = b.quantity + v.q FROM (VALUES " + values
                                + ") AS v(i, w, q, t), stock_locked AS l WHERE b.item = v.i AND b.warehouse = v.w"
                                + " AND l.item = v.i AND l.warehouse = v.w AND "
                                + BalanceRule.keepsNonNegative("b.quantity", "v.q") + " RETURNING b.item, b.warehouse"
                        : "UPDATE stock_balances AS b SET quantity = b.quantity + v.q, fencing_token = v.t FROM (VALUES "
                                + values + ") AS v(i, w, q, t) WHERE b.item = v.i AND b.warehouse = v.w AND "
                                + FencingRule.admits("b.fencing_token", "v.t") + " AND "
                                + BalanceRule.keepsNonNegative("b.quantity", "v.q") + " RETURNING b.item, b.warehouse",
                p);
        w.add(
                "INSERT INTO stock_balances (item, warehouse, quantity, fencing_token) SELECT v.i, v.w, v.q, v.t FROM (VALUES "
                        + values
                        + ") AS v(i, w, q, t) WHERE NOT EXISTS (SELECT 1 FROM stock_updated u WHERE u.item = v.i AND u.warehouse = v.w)",
                p);
    }

    /** What {@link #addUnderLock} adds to a statement's parameters ({@code rowLocks}: without a token). */
    public static int parametersUnderLock(Map<StockKey, BigDecimal> changes, boolean rowLocks) {
        return (rowLocks ? 12 : 8) * changes.size();
    }

    /** True when a statement of {@link #addUnderLock} failed because a Stock row was left alone. */
    public static boolean leftAlone(Throwable failure) {
        String state = Db.sqlState(failure);
        String constraint = Db.constraint(failure);
        return ("23505".equals(state) && "stock_balances_pkey".equals(constraint))
                || ("23514".equals(state) && "stock_balance_not_negative".equals(constraint));
    }

    /**
     * Stock rows as they are; {@code fenced}: a grant later than {@code token} has written one of them
     * (never without a token: the row-lock peer has no grant to be fenced).
     */
    public record Current(Map<StockKey, BigDecimal> balances, boolean fenced) {}

    public static Uni<Current> current(Mutiny.Session s, Collection<StockKey> rows, Long token) {
        List<Object> keys = new ArrayList<>();
        rows.forEach(k -> {
            keys.add(k.item());
            keys.add(k.warehouse());
        });
        keys.add(token == null ? Long.MAX_VALUE : token);
        return Db.rows(
                        s,
                        "SELECT item, warehouse, quantity, NOT ("
                                + FencingRule.admits("fencing_token", "?" + keys.size())
                                + ") FROM stock_balances"
                                + " WHERE (item, warehouse) IN (" + Db.tuples(rows.size(), 2, 1) + ")",
                        keys)
                .map(result -> {
                    Map<StockKey, BigDecimal> balances = new HashMap<>();
                    boolean fenced = false;
                    for (Object[] r : result) {
                        balances.put(new StockKey((String) r[0], (String) r[1]), (BigDecimal) r[2]);
                        fenced |= (Boolean) r[3];
                    }
                    return new Current(balances, fenced);
                });
    }

    private static String values(List<Map.Entry<StockKey, BigDecimal>> rows, long token, List<Object> p) {
        StringBuilder values = new StringBuilder();
        for (Map.Entry<StockKey, BigDecimal> e : rows) {
            int n = p.size();
            values.append(n == 0 ? "" : ",")
                    .append("(?")
                    .append(n + 1)
                    .append(", ?")
                    .append(n + 2)
                    .append(", cast(?")
                    .append(n + 3)
                    .append(" as numeric), cast(?")
                    .append(n + 4)
                    .append(" as bigint))");
            p.add(e.getKey().item());
            p.add(e.getKey().warehouse());
            p.add(e.getValue());
            p.add(token);
        }
        return values.toString();
    }

    /** Balances for GET /v1/balances; item and warehouse are optional filters. */
    public static Uni<List<Object[]>> list(Mutiny.Session s, String item, String warehouse) {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT item, warehouse, quantity FROM stock_balances WHERE true");
        if (item != null) {
            p.add(item);
            sql.append(" AND item = ?").append(p.size());
        }
        if (warehouse != null) {
            p.add(warehouse);
            sql.append(" AND warehouse = ?").append(p.size());
        }
        sql.append(" ORDER BY item, warehouse LIMIT 10000");
        return Db.rows(s, sql.toString(), p);
    }
}
