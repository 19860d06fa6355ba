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
 * The Sales register with totals splitting: a writer adds to one of {@code splits} total rows
 * of (item, warehouse, day), picked at random, so concurrent writers rarely wait on (or, under
 * SERIALIZABLE, conflict with) each other; readers sum the splits; {@link #collapse} folds them.
 */
public final class SalesRegister {
    private static final int CHUNK = 1000;

    private SalesRegister() {
    }

    public record Row(UUID document, Movements.Sales movement) {
    }

    public record Total(String item, String warehouse, LocalDate day) {
    }

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
            w.add("INSERT INTO sales_movements (document_id, line_no, item, warehouse, day, quantity, amount)"
                    + " VALUES " + Db.tuples(part.size(), 7, 1), p);
        }
    }

    public static Uni<Void> deleteMovements(Mutiny.Session s, List<UUID> documents) {
        if (documents.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Db.update(s, "DELETE FROM sales_movements WHERE document_id IN " + Db.tuples(1, documents.size(), 1), documents)
                .replaceWithVoid();
    }

    /** Queues in {@code w} the quantity/amount changes, added to one split row per total. */
    public static void add(Writes w, Map<Total, BigDecimal[]> changes, int splits) {
        List<Map.Entry<Total, BigDecimal[]>> rows = changes.entrySet().stream()
                .filter(e -> e.getValue()[0].signum() != 0 || e.getValue()[1].signum() != 0).toList();
        if (rows.isEmpty()) {
            return;
        }
        int split = ThreadLocalRandom.current().nextInt(Math.max(1, splits));
        List<Object> p = new ArrayList<>();
        for (Map.Entry<Total, BigDecimal[]> e : rows) {
            p.add(e.getKey().item());
            p.add(e.getKey().warehouse());
            p.add(e.getKey().day());
            p.add((short) split);
            p.add(e.getValue()[0]);
            p.add(e.getValue()[1]);
        }
        w.add("INSERT INTO sales_turnovers AS t (item, warehouse, day, split, quantity, amount) VALUES "
                + Db.tuples(rows.size(), 6, 1)
                + " ON CONFLICT (item, warehouse, day, split) DO UPDATE SET quantity = t.quantity + excluded.quantity,"
                + " amount = t.amount + excluded.amount", p);
    }

    /** Folds every split row into split 0; returns how many split rows were folded. */
    public static Uni<Integer> collapse(Mutiny.Session s) {
        return Db.rows(s, "WITH moved AS (DELETE FROM sales_turnovers WHERE split > 0 RETURNING item, warehouse, day, quantity, amount),"
                + " folded AS (INSERT INTO sales_turnovers AS t (item, warehouse, day, split, quantity, amount)"
                + " SELECT item, warehouse, day, 0, sum(quantity), sum(amount) FROM moved GROUP BY item, warehouse, day"
                + " ON CONFLICT (item, warehouse, day, split) DO UPDATE SET quantity = t.quantity + excluded.quantity,"
                + " amount = t.amount + excluded.amount RETURNING 1)"
                + " SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM folded)", List.of())
                .map(r -> ((Number) r.get(0)[0]).intValue());
    }

    /** Turnovers per (item, warehouse, day) in [from, to], splits summed. */
    public static Uni<List<Object[]>> list(Mutiny.Session s, String item, String warehouse, LocalDate from, LocalDate to) {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT item, warehouse, day, sum(quantity), sum(amount) FROM sales_turnovers WHERE true");
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
