-- The router's memory of finished asks: one row per request id, the first result that was
-- produced for it. A redelivered or replayed ask finds its row here and is answered from it
-- without calling a backend again.
CREATE TABLE results (
    request_id   varchar(36) NOT NULL,
    backend      varchar(32) NOT NULL,
    status       varchar(16) NOT NULL,
    attempts     integer     NOT NULL,
    result       text        NOT NULL,
    completed_at timestamp with time zone NOT NULL,
    CONSTRAINT results_pk PRIMARY KEY (request_id)
);
