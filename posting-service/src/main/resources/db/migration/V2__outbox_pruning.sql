-- Sent outbox rows are deleted once they are older than posting.outbox-retention (OutboxRelay.prune):
-- this index finds the oldest sent rows without scanning the table.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
