-- One row per accepted ask: the request joined with its result once there is one.
-- Keys are varchar, not text, so that jOOQ's DDL interpreter and PostgreSQL agree on types.
CREATE TABLE asks (
    request_id        varchar(36)  NOT NULL,
    user_id           varchar(128) NOT NULL,
    idempotency_key   varchar(255) NOT NULL,
    status            varchar(16)  NOT NULL,
    prompt            text         NOT NULL,
    requested_model   varchar(128),
    requested_backend varchar(32),
    backend           varchar(32),
    model             varchar(128),
    answer            text,
    prompt_tokens     integer,
    completion_tokens integer,
    total_tokens      integer,
    latency_ms        bigint,
    attempts          integer,
    error_type        varchar(64),
    error_message     text,
    error_http_status integer,
    accepted_at       timestamp with time zone NOT NULL,
    completed_at      timestamp with time zone,
    updated_at        timestamp with time zone NOT NULL,
    CONSTRAINT asks_pk PRIMARY KEY (request_id),
    CONSTRAINT asks_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed'))
);

CREATE INDEX asks_user_accepted_idx ON asks (user_id, accepted_at);
