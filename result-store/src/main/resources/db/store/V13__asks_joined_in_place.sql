-- The result store joins an ask's request, progress and result here, in the table, as each arrives
-- on its own topic (docs/adr/0031). A result or progress that arrives before its request makes a
-- partial row: the request's columns NULL, invisible to clients (every read filters by user_id)
-- until the request fills them in. An ask's webhook carries the trace context its request came
-- with, so the row keeps it for whichever write makes the ask terminal and visible.
ALTER TABLE asks ADD COLUMN traceparent varchar(55);
ALTER TABLE asks ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE asks ALTER COLUMN idempotency_key DROP NOT NULL;
ALTER TABLE asks ALTER COLUMN prompt DROP NOT NULL;
ALTER TABLE asks ALTER COLUMN accepted_at DROP NOT NULL;
-- the request's columns come together: a row has its request (user and acceptance) or neither
ALTER TABLE asks ADD CONSTRAINT asks_request_check CHECK (
    (user_id IS NOT NULL AND accepted_at IS NOT NULL) OR (user_id IS NULL AND accepted_at IS NULL));
