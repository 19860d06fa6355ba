package io.suite.posting.registers;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;
import io.suite.posting.Db;
import io.suite.posting.Writes;

/**
 * The Sales register with totals splitting: a total of (item, warehouse, day) is kept in up to
 * {@code splits} rows; a writer adds to one no other writer holds (see {@link #add}), so concurrent
 * writers do not wait for each other; readers sum the splits; {@link #collapse} folds them.
 */
public final class SalesRegister {
    private static final int CHUNK = 1000;

    private SalesRegister() {}

    public record Row(UUID document, Movements.Sales movement) {}

    public record Total(String item, String warehouse, LocalDate day) {}

    /** Queues the movements' inserts in {@code w}. */
    public static void insertMovements(Writes w, List<Row> rows) {
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<Row> part = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            List<Object> p = new ArrayList<>();
            for (Row r : part) {
                Movements.Sales m = r.movement();
                p.add(r.document());
                p.add(m.lineNo());
                p.add(m.item());
                p.add(m.warehouse());
                p.add(m.day());
                p.add(m.quantity());
                p.add(m.amount());
            }
            w.add(
                    "INSERT INTO sales_movements (document_id, line_no, item, warehouse, day, quantity, amount)"
                            + " VALUES " + Db.tuples(part.size(), 7, 1),
                    p);
        }
    }

    public static Uni<Void> deleteMovements(Mutiny.Session s, List<UUID> documents) {
        if (documents.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Db.update(
                        s,
                        "DELETE FROM sales_movements WHERE document_id IN " + Db.tuples(1, documents.size(), 1),
                        documents)
                .replaceWithVoid();
    }

    /**
     * Queues in {@code w} the quantity/amount changes. Each goes to a split row of its total that no
     * other transaction holds ({@code FOR UPDATE SKIP LOCKED}); when every existing split is held, to a
     * new split, one of {@code splits} not yet there, picked at random; only when all {@code splits}
     * exist and are held does it wait for one. So a writer does not wait for another writer of the
     * same total, which may itself be waiting for a managed lock (with a random split of 8, two
     * writers of a total met on one row once in 8).
     */
    public static void add(Writes w, Map<Total, BigDecimal[]> changes, int splits) {
        List<Map.Entry<Total, BigDecimal[]>> rows = changes.entrySet().stream()
                .filter(e -> e.getValue()[0].signum() != 0 || e.getValue()[1].signum() != 0)
                .toList();
        if (rows.isEmpty()) {
            return;
        }
        int n = Math.max(1, splits);
        List<Object> p = new ArrayList<>();
        StringBuilder values = new StringBuilder();
        for (Map.Entry<Total, BigDecimal[]> e : rows) {
            int i = p.size();
            values.append(i == 0 ? "" : ",")
                    .append("(?")
                    .append(i + 1)
                    .append(", ?")
                    .append(i + 2)
                    .append(", cast(?")
                    .append(i + 3)
                    .append(" as date), cast(?")
                    .append(i + 4)
                    .append(" as smallint), cast(?")
                    .append(i + 5)
                    .append(" as numeric), cast(?")
                    .append(i + 6)
                    .append(" as numeric))");
            p.addAll(List.of(
                    e.getKey().item(),
                    e.getKey().warehouse(),
                    e.getKey().day(),
                    (short) ThreadLocalRandom.current().nextInt(n),
                    e.getValue()[0],
                    e.getValue()[1]));
        }
        String sameTotal = " h.item = v.i AND h.warehouse = v.w AND h.day = v.d";
        w.add(
                "INSERT INTO sales_turnovers AS t (item, warehouse, day, split, quantity, amount)"
                        + " SELECT v.i, v.w, v.d, coalesce(f.split,"
                        + " (SELECT g FROM generate_series(0, " + (n - 1)
                        + ") AS g WHERE NOT EXISTS (SELECT 1 FROM sales_turnovers h"
                        + " WHERE" + sameTotal + " AND h.split = g) ORDER BY random() LIMIT 1), v.s), v.q, v.a"
                        + " FROM (VALUES " + values + ") AS v(i, w, d, s, q, a)"
                        + " LEFT JOIN LATERAL (SELECT h.split FROM sales_turnovers h WHERE" + sameTotal
                        + " LIMIT 1 FOR UPDATE SKIP LOCKED) f ON true"
                        + " ON CONFLICT (item, warehouse, day, split) DO UPDATE SET quantity = t.quantity + excluded.quantity,"
                        + " amount = t.amount + excluded.amount",
                p);
    }

    /** Folds every split row into split 0; returns how many split rows were folded. */
    public static Uni<Integer> collapse(Mutiny.Session s) {
        return Db.rows(
                        s,
                        "WITH moved AS (DELETE FROM sales_turnovers WHERE split > 0 RETURNING item, warehouse, day, quantity, amount),"
                                + " folded AS (INSERT INTO sales_turnovers AS t (item, warehouse, day, split, quantity, amount)"
                                + " SELECT item, warehouse, day, 0, sum(quantity), sum(amount) FROM moved GROUP BY item, warehouse, day"
                                + " ON CONFLICT (item, warehouse, day, split) DO UPDATE SET quantity = t.quantity + excluded.quantity,"
                                + " amount = t.amount + excluded.amount RETURNING 1)"
                                + " SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM folded)",
                        List.of())
                .map(r -> ((Number) r.get(0)[0]).intValue());
    }

    /** Turnovers per (item, warehouse, day) in [from, to], splits summed. */
    public static Uni<List<Object[]>> list(
            Mutiny.Session s, String item, String warehouse, LocalDate from, LocalDate to) {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder(
                "SELECT item, warehouse, day, sum(quantity), sum(amount) FROM sales_turnovers WHERE true");
        if (item != null) {
            p.add(item);
            sql.append(" AND item = ?").append(p.size());
        }
        if (warehouse != null) {
            p.add(warehouse);
            sql.append(" AND warehouse = ?").append(p.size());
        }
        if (from != null) {
            p.add(from);
            sql.append(" AND day >= ?").append(p.size());
        }
        if (to != null) {
            p.add(to);
            sql.append(" AND day <= ?").append(p.size());
        }
        sql.append(" GROUP BY item, warehouse, day ORDER BY day, item, warehouse LIMIT 10000");
        return Db.rows(s, sql.toString(), p);
    }
}
