-- Who did it (DESIGN.md "Security"): the principal of the token that created a document or started a posting
-- run, never a field of the body. Null on rows written before this record was kept.
ALTER TABLE documents ADD COLUMN created_by text;
ALTER TABLE posting_runs ADD COLUMN started_by text;
