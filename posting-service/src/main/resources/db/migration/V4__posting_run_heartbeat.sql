-- Posting runs whose instance died: the instance running a run beats its heartbeat every few seconds
-- (posting.run-heartbeat-every); the other replicas report a RUNNING row whose heartbeat is older than
-- posting.run-abandoned-after as ABANDONED (derived when read, never stored: PostingRuns, RunLiveness).
ALTER TABLE posting_runs ADD COLUMN owner text, ADD COLUMN heartbeat_at timestamptz;
UPDATE posting_runs SET heartbeat_at = coalesce(finished_at, started_at);
ALTER TABLE posting_runs ALTER COLUMN heartbeat_at SET DEFAULT now(), ALTER COLUMN heartbeat_at SET NOT NULL;
