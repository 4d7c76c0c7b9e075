-- Provider limits shared by every router worker (docs/adr/0026).
--
-- The rate buckets of Bucket4j's PostgreSQL integration: one row per bucket (a backend's, or a
-- backend and model's, requests or tokens per minute), its state serialized by Bucket4j, which
-- reads it with SELECT ... FOR UPDATE and writes it back in the same transaction.
CREATE TABLE limit_buckets (
    id    varchar(200) NOT NULL,
    state bytea,
    CONSTRAINT limit_buckets_pk PRIMARY KEY (id)
);

-- A backend that answered 429 (or 529) with a Retry-After is paused for every worker until then.
CREATE TABLE backend_pauses (
    backend      varchar(32)              NOT NULL,
    paused_until timestamp with time zone NOT NULL,
    CONSTRAINT backend_pauses_pk PRIMARY KEY (backend)
);
