-- POST /v1/ask/{id}/cancel finds an ask, and its owner, by request id; the quotas' tally of
-- finished asks (V4) finds their rows by it too.
CREATE INDEX idempotency_request_id_idx ON idempotency (request_id);
