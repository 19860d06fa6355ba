-- Posting runs report the lock requests lock-service escalated (escalations) and what they became
-- (escalated: a JSON list of {"space","fields"}), so that a run that locked more than its rows shows it.
ALTER TABLE posting_runs ADD COLUMN escalations int NOT NULL DEFAULT 0, ADD COLUMN escalated text NOT NULL DEFAULT '[]';
