-- Documents: the business facts. Lines never change after creation (repost re-derives the same movements).
CREATE TABLE documents (
    id          uuid PRIMARY KEY,
    type        varchar(16)  NOT NULL CHECK (type IN ('RECEIPT', 'SHIPMENT', 'TRANSFER')),
    number      varchar(40)  NOT NULL,
    date        date         NOT NULL,
    status      varchar(16)  NOT NULL CHECK (status IN ('DRAFT', 'POSTED')),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    posted_at   timestamptz
);
-- posting-runs read DRAFT documents in date/number order
CREATE INDEX documents_status_date_number ON documents (status, date, number);

CREATE TABLE document_lines (
    document_id  uuid          NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    line_no      int           NOT NULL,
    item         varchar(100)  NOT NULL,
    warehouse    varchar(100)  NOT NULL,
    to_warehouse varchar(100),
    quantity     numeric(18, 3) NOT NULL CHECK (quantity > 0),
    amount       numeric(18, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, line_no)
);

-- Stock register (dimensions item, warehouse; resource quantity; balance control).
CREATE TABLE stock_movements (
    document_id uuid           NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    line_no     int            NOT NULL,
    item        varchar(100)   NOT NULL,
    warehouse   varchar(100)   NOT NULL,
    quantity    numeric(18, 3) NOT NULL,  -- signed: + receipt, - shipment
    PRIMARY KEY (document_id, line_no, warehouse)
);
CREATE INDEX stock_movements_row ON stock_movements (item, warehouse);

CREATE TABLE stock_balances (
    item          varchar(100)   NOT NULL,
    warehouse     varchar(100)   NOT NULL,
    quantity      numeric(18, 3) NOT NULL,
    -- highest lock-service fencing token that wrote this row: a holder whose lease ran out
    -- (and whose row was since written under a newer grant) can no longer write it
    fencing_token bigint         NOT NULL DEFAULT 0,
    PRIMARY KEY (item, warehouse),
    -- last line of defence: balance control lives in BalanceRule, this only catches bugs
    CONSTRAINT stock_balance_not_negative CHECK (quantity >= 0)
);

-- Sales register (dimensions item, warehouse, day; resources quantity, amount; totals splitting).
CREATE TABLE sales_movements (
    document_id uuid           NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    line_no     int            NOT NULL,
    item        varchar(100)   NOT NULL,
    warehouse   varchar(100)   NOT NULL,
    day         date           NOT NULL,
    quantity    numeric(18, 3) NOT NULL,
    amount      numeric(18, 2) NOT NULL,
    PRIMARY KEY (document_id, line_no)
);
CREATE INDEX sales_movements_row ON sales_movements (item, warehouse, day);

-- Several total rows per (item, warehouse, day), one per split: concurrent writers add to
-- different splits and do not wait for each other; readers sum; collapse folds splits into 0.
CREATE TABLE sales_turnovers (
    item      varchar(100)   NOT NULL,
    warehouse varchar(100)   NOT NULL,
    day       date           NOT NULL,
    split     smallint       NOT NULL,
    quantity  numeric(18, 3) NOT NULL,
    amount    numeric(18, 2) NOT NULL,
    PRIMARY KEY (item, warehouse, day, split)
);

-- Idempotency-Key: one row per key, stored in the same transaction as the document it created.
CREATE TABLE idempotency_keys (
    key          varchar(200) PRIMARY KEY,
    request_hash char(64)     NOT NULL,
    status       int,
    response     text,
    created_at   timestamptz  NOT NULL DEFAULT now()
);

-- Transactional outbox for Kafka topic document-events.
CREATE TABLE outbox (
    id            bigserial    PRIMARY KEY,
    event_key     varchar(100) NOT NULL,
    payload       text         NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    sent_at       timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Register invariant check as plain SQL: backup-service runs it on a RESTORED copy.
-- Stock rows whose balance is below zero (must be empty).
CREATE VIEW register_negative_balances AS
SELECT 'Stock'::text AS register, item, warehouse, quantity
FROM stock_balances
WHERE quantity < 0;

-- Totals that differ from the sum of their movements (must be empty).
CREATE VIEW register_balance_mismatches AS
SELECT 'Stock'::text AS register, 'quantity'::text AS resource,
       coalesce(b.item, m.item) AS item, coalesce(b.warehouse, m.warehouse) AS warehouse, NULL::date AS day,
       coalesce(b.quantity, 0) AS balance, coalesce(m.total, 0) AS movements_sum
FROM stock_balances b
FULL JOIN (SELECT item, warehouse, sum(quantity) AS total FROM stock_movements GROUP BY item, warehouse) m
       ON m.item = b.item AND m.warehouse = b.warehouse
WHERE coalesce(b.quantity, 0) <> coalesce(m.total, 0)
UNION ALL
SELECT 'Sales', r.resource, r.item, r.warehouse, r.day, r.balance, r.movements_sum
FROM (
    SELECT coalesce(t.item, m.item) AS item, coalesce(t.warehouse, m.warehouse) AS warehouse,
           coalesce(t.day, m.day) AS day,
           coalesce(t.quantity, 0) AS t_quantity, coalesce(m.quantity, 0) AS m_quantity,
           coalesce(t.amount, 0) AS t_amount, coalesce(m.amount, 0) AS m_amount
    FROM (SELECT item, warehouse, day, sum(quantity) AS quantity, sum(amount) AS amount
          FROM sales_turnovers GROUP BY item, warehouse, day) t
    FULL JOIN (SELECT item, warehouse, day, sum(quantity) AS quantity, sum(amount) AS amount
               FROM sales_movements GROUP BY item, warehouse, day) m
           ON m.item = t.item AND m.warehouse = t.warehouse AND m.day = t.day
) s
CROSS JOIN LATERAL (VALUES ('quantity', s.item, s.warehouse, s.day, s.t_quantity::numeric, s.m_quantity::numeric),
                           ('amount', s.item, s.warehouse, s.day, s.t_amount::numeric, s.m_amount::numeric))
    AS r(resource, item, warehouse, day, balance, movements_sum)
WHERE r.balance <> r.movements_sum;

-- One row: the whole check.
CREATE VIEW register_consistency AS
SELECT (SELECT count(*) FROM register_negative_balances) = 0
           AND (SELECT count(*) FROM register_balance_mismatches) = 0 AS consistent,
       (SELECT count(*) FROM register_negative_balances) AS negative_balances,
       (SELECT count(*) FROM register_balance_mismatches) AS mismatches;
