-- An ask its owner cancelled (POST /v1/ask/{id}/cancel) before it had another outcome ends
-- cancelled: a terminal status beside succeeded, failed and expired, with the error cancelled.
ALTER TABLE asks DROP CONSTRAINT asks_status_check;
ALTER TABLE asks ADD CONSTRAINT asks_status_check
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'expired', 'cancelled'));
