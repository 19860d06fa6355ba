-- Posting runs: any replica answers GET /v1/posting-runs/{id}; the instance running it saves its
-- progress after every batch and its end (PostingRuns.save).
CREATE TABLE posting_runs (
    id          uuid         PRIMARY KEY,
    status      varchar(16)  NOT NULL CHECK (status IN ('RUNNING', 'DONE')),
    posted      int          NOT NULL,
    failed      int          NOT NULL,
    failures    text         NOT NULL,
    started_at  timestamptz  NOT NULL,
    finished_at timestamptz
);
