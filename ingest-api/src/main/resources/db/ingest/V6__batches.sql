-- OpenAI-format batches run as asks (ADR 0030). A batch's row holds what its batch object shows
-- and where its runner got to; a line's row ties its custom_id to the request id of its ask and,
-- once its result came back, keeps that result for the output and error files.
CREATE TABLE batches (
    id                   varchar(64)  NOT NULL,
    user_id              varchar(128) NOT NULL,
    input_file_id        varchar(64)  NOT NULL,
    endpoint             varchar(64)  NOT NULL,
    completion_window    varchar(16)  NOT NULL,
    metadata             text,
    callback_url         text,
    status               varchar(16)  NOT NULL,
    total                integer      NOT NULL DEFAULT 0,
    completed            integer      NOT NULL DEFAULT 0,
    failed               integer      NOT NULL DEFAULT 0,
    errors               text,
    output_file_id       varchar(64),
    error_file_id        varchar(64),
    output_expires_after bigint       NOT NULL,
    input_tokens         bigint       NOT NULL DEFAULT 0,
    output_tokens        bigint       NOT NULL DEFAULT 0,
    total_tokens         bigint       NOT NULL DEFAULT 0,
    cached_tokens        bigint       NOT NULL DEFAULT 0,
    reasoning_tokens     bigint       NOT NULL DEFAULT 0,
    created_at           timestamp with time zone NOT NULL,
    in_progress_at       timestamp with time zone,
    expires_at           timestamp with time zone NOT NULL,
    finalizing_at        timestamp with time zone,
    completed_at         timestamp with time zone,
    failed_at            timestamp with time zone,
    expired_at           timestamp with time zone,
    cancelling_at        timestamp with time zone,
    cancelled_at         timestamp with time zone,
    -- the expansion's checkpoint: lines and bytes of the input file queued so far, of input_bytes
    input_bytes          bigint       NOT NULL DEFAULT 0,
    expanded_lines       bigint       NOT NULL DEFAULT 0,
    expanded_bytes       bigint       NOT NULL DEFAULT 0,
    -- a cancelling batch's lines were sent their cancels
    cancels_sent_at      timestamp with time zone,
    -- the BatchEvent of a batch with a callback: fixed at its terminal status, published once
    event_id             varchar(64),
    event_published_at   timestamp with time zone,
    -- which runner works on the batch, until when
    lease_owner          varchar(64),
    leased_until         timestamp with time zone,
    CONSTRAINT batches_pk PRIMARY KEY (id),
    CONSTRAINT batches_status_check CHECK (status IN ('validating', 'failed', 'in_progress', 'finalizing',
        'completed', 'expired', 'cancelling', 'cancelled'))
);

-- GET /v1/batches: a user's batches, newest first (ids are UUIDv7: they sort by creation)
CREATE INDEX batches_user_idx ON batches (user_id, id);
-- the runners' search for batches with work left
CREATE INDEX batches_open_idx ON batches (leased_until)
    WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling')
        OR (event_id IS NOT NULL AND event_published_at IS NULL);

CREATE TABLE batch_lines (
    batch_id   varchar(64) NOT NULL,
    line       integer     NOT NULL,
    custom_id  text        NOT NULL,
    request_id varchar(36) NOT NULL,
    outcome    varchar(16),
    result     text,
    settled_at timestamp with time zone,
    CONSTRAINT batch_lines_pk PRIMARY KEY (batch_id, line),
    CONSTRAINT batch_lines_request_id_key UNIQUE (request_id),
    CONSTRAINT batch_lines_outcome_check CHECK (outcome IN ('succeeded', 'failed', 'expired', 'cancelled'))
);

-- a batch's lines still waiting for their results: its cancels, and its expiry's settlement
CREATE INDEX batch_lines_unsettled_idx ON batch_lines (batch_id, line) WHERE outcome IS NULL;
