-- The background purge deletes terminal asks completed before the retention period.
CREATE INDEX asks_completed_idx ON asks (completed_at);
