package io.suite.testing;

/**
 * SQL that fills a database with posting-service's schema with posted documents and consistent
 * registers, without going through the service: for backup tests and the backup benchmark.
 * Each item gets an opening receipt of 100 in every warehouse, then receipts and every 7th
 * document a shipment of at most 5, so every balance equals its movements and none is negative.
 */
public final class PostingSeed {
    private static final int WAREHOUSES = 3;

    private PostingSeed() {}

    /** {@code documents} one-line documents over {@code items} items in 3 warehouses. */
    public static String sql(int documents, int items) {
        int opening = items * WAREHOUSES;
        return """
                create temp table seed as
                select g, md5('doc' || g)::uuid as id,
                       case when g > OPENING and g % 7 = 0 then 'SHIPMENT' else 'RECEIPT' end as type,
                       'I' || (g % ITEMS) as item, 'W' || (g % WAREHOUSES) as warehouse, date '2026-01-01' + (g % 28) as day,
                       case when g <= OPENING then 100 else 1 + g % 5 end as quantity
                  from generate_series(1, DOCUMENTS) g;
                insert into documents (id, type, number, date, status, posted_at)
                select id, type, 'N-' || g, day, 'POSTED', now() from seed;
                insert into document_lines (document_id, line_no, item, warehouse, quantity, amount)
                select id, 1, item, warehouse, quantity, quantity * 10 from seed;
                insert into stock_movements (document_id, line_no, item, warehouse, quantity)
                select id, 1, item, warehouse, case when type = 'SHIPMENT' then -quantity else quantity end from seed;
                insert into sales_movements (document_id, line_no, item, warehouse, day, quantity, amount)
                select id, 1, item, warehouse, day, quantity, quantity * 10 from seed where type = 'SHIPMENT';
                insert into sales_turnovers (item, warehouse, day, split, quantity, amount)
                select item, warehouse, day, 0, sum(quantity), sum(amount) from sales_movements group by 1, 2, 3;
                insert into stock_balances (item, warehouse, quantity)
                select item, warehouse, sum(quantity) from stock_movements group by 1, 2;
                drop table seed;
                """.replace("OPENING", String.valueOf(opening))
                .replace("ITEMS", String.valueOf(items))
                .replace("WAREHOUSES", String.valueOf(WAREHOUSES))
                .replace("DOCUMENTS", String.valueOf(documents));
    }
}
