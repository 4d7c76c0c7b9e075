-- The retention purge finds unfinished asks accepted before its cutoff: asks no worker runs any more.
CREATE INDEX asks_unfinished_accepted_idx ON asks (accepted_at) WHERE status IN ('queued', 'running');
