-- Per-user quotas at submit (ADR 0029), shared by every ingest instance.
--
-- An ask is in flight from its claim until its result comes back on ask.results, which ingest's
-- consumer group marks here (finished_at); the ledger keeps an unfinished row past its key's TTL,
-- up to QUOTA_IN_FLIGHT_RETENTION, so that the row counts while its ask runs.
-- (ResultTally finds rows by request id through V3's index.)
ALTER TABLE idempotency ADD COLUMN finished_at timestamp with time zone;
CREATE INDEX idempotency_unfinished_idx ON idempotency (user_id, created_at) WHERE finished_at IS NULL;

-- Requests per minute, a token bucket in its one-number form (GCRA): the theoretical arrival time
-- of the user's next ask, in microseconds since the epoch. One row per user, changed by one upsert.
CREATE TABLE user_rates (
    user_id varchar(128) NOT NULL,
    tat_us  bigint       NOT NULL,
    CONSTRAINT user_rates_pk PRIMARY KEY (user_id)
);

-- The tokens each user's answers used per calendar month (UTC, the month of the result), added
-- once per ask: when its ledger row goes from unfinished to finished.
CREATE TABLE user_tokens (
    user_id varchar(128) NOT NULL,
    month   date         NOT NULL,
    tokens  bigint       NOT NULL,
    CONSTRAINT user_tokens_pk PRIMARY KEY (user_id, month)
);
