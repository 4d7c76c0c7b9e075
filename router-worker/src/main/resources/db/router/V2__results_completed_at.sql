-- The retention purge deletes results completed before ROUTER_RETENTION.
CREATE INDEX results_completed_idx ON results (completed_at);
