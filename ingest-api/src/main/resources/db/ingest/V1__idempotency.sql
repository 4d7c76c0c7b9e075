-- The idempotency ledger, shared by every ingest instance. One row per idempotency scope
-- (user, method, path, key) while its TTL runs: the ask it accepted, and once Kafka acknowledged
-- it, the response that a retry with the same key and payload gets again.
CREATE TABLE idempotency (
    user_id         varchar(128) NOT NULL,
    method          varchar(8)   NOT NULL,
    path            varchar(256) NOT NULL,
    idempotency_key varchar(255) NOT NULL,
    fingerprint     varchar(64)  NOT NULL,
    request_id      varchar(36)  NOT NULL,
    state           varchar(16)  NOT NULL,
    ask             text         NOT NULL,
    response_status integer,
    response_body   text,
    created_at      timestamp with time zone NOT NULL,
    expires_at      timestamp with time zone NOT NULL,
    CONSTRAINT idempotency_pk PRIMARY KEY (user_id, method, path, idempotency_key),
    CONSTRAINT idempotency_state_check CHECK (state IN ('accepting', 'accepted'))
);

CREATE INDEX idempotency_state_created_idx ON idempotency (state, created_at);
CREATE INDEX idempotency_expires_idx ON idempotency (expires_at);
