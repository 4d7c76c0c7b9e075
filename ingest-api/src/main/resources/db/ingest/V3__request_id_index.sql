-- POST /v1/ask/{id}/cancel finds an ask, and its owner, by request id while its key's TTL runs.
CREATE INDEX idempotency_request_id_idx ON idempotency (request_id);
