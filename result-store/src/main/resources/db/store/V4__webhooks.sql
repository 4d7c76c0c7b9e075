-- Webhook callbacks. An ask may carry a callback URL; when it becomes terminal, the same transaction
-- that records its result adds one delivery to the outbox below. Result-store instances claim due
-- deliveries with FOR UPDATE SKIP LOCKED, record every attempt, and move a delivery to succeeded,
-- or to dead once the retry schedule is spent (or the receiver answered 410 Gone). Deliveries and
-- attempts go when their ask is purged.
ALTER TABLE asks ADD COLUMN callback_url varchar(2048);

CREATE TABLE webhook_deliveries (
    request_id      varchar(36)   NOT NULL,
    user_id         varchar(128)  NOT NULL,
    webhook_id      varchar(64)   NOT NULL,
    url             varchar(2048) NOT NULL,
    payload         text          NOT NULL,
    status          varchar(16)   NOT NULL,
    attempts        integer       NOT NULL,
    -- attempts made before the current retry schedule began: a re-send starts the schedule again
    round_start     integer       NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    created_at      timestamp with time zone NOT NULL,
    updated_at      timestamp with time zone NOT NULL,
    CONSTRAINT webhook_deliveries_pk PRIMARY KEY (request_id),
    CONSTRAINT webhook_deliveries_ask_fk FOREIGN KEY (request_id) REFERENCES asks (request_id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'dead'))
);

CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    request_id   varchar(36)  NOT NULL,
    attempt      integer      NOT NULL,
    attempted_at timestamp with time zone NOT NULL,
    status_code  integer,
    latency_ms   bigint       NOT NULL,
    error        varchar(512),
    CONSTRAINT webhook_attempts_pk PRIMARY KEY (request_id, attempt),
    CONSTRAINT webhook_attempts_delivery_fk
        FOREIGN KEY (request_id) REFERENCES webhook_deliveries (request_id) ON DELETE CASCADE
);

-- Each user's signing secrets ("whsec_" and 32 random bytes, base64). The newest is the one shown
-- to the user; after a rotation the previous one keeps signing too until it expires, so receivers
-- can switch without dropping a webhook. HMAC needs the secret itself, so it cannot be stored hashed.
CREATE TABLE webhook_secrets (
    id         varchar(36)  NOT NULL,
    user_id    varchar(128) NOT NULL,
    secret     varchar(64)  NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    CONSTRAINT webhook_secrets_pk PRIMARY KEY (id)
);

CREATE INDEX webhook_secrets_user_idx ON webhook_secrets (user_id, created_at);
