-- An ask whose own deadline (expires_after or deadline) passed before it had an answer ends
-- expired: a terminal status beside succeeded and failed, with the error deadline_exceeded.
ALTER TABLE asks DROP CONSTRAINT asks_status_check;
ALTER TABLE asks ADD CONSTRAINT asks_status_check
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'expired'));
