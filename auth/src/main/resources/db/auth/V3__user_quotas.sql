-- Per-user quota overrides, set with `askpipe admin set-quota`. A column left NULL takes the ingest
-- API's default (QUOTA_RPM, QUOTA_MAX_IN_FLIGHT, QUOTA_MONTHLY_TOKENS); 0 means unlimited. Ingest
-- reads this table (ADR 0015: it may read auth) and enforces the limits at submit (ADR 0029).
CREATE TABLE user_quotas (
    user_id        varchar(36) NOT NULL,
    rpm            integer,
    max_in_flight  integer,
    monthly_tokens bigint,
    updated_at     timestamp with time zone NOT NULL,
    CONSTRAINT user_quotas_pk PRIMARY KEY (user_id),
    CONSTRAINT user_quotas_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT user_quotas_non_negative CHECK (
        (rpm IS NULL OR rpm >= 0)
        AND (max_in_flight IS NULL OR max_in_flight >= 0)
        AND (monthly_tokens IS NULL OR monthly_tokens >= 0))
);
