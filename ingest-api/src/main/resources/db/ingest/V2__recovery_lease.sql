-- The recovery of unpublished asks leases rows instead of locking them across a Kafka publish:
-- leased_until is set in a short statement of its own, the publish runs outside any transaction,
-- and a lease that ran out (its recoverer died or gave up) lets another recoverer take the row.
-- An ask that can never be published (too large for the broker, unreadable) is set aside as
-- 'dead' with the reason; a retry with its key is answered that, not 409, until the TTL runs out.
ALTER TABLE idempotency ADD COLUMN leased_until timestamp with time zone;
ALTER TABLE idempotency ADD COLUMN failure_reason varchar(64);
ALTER TABLE idempotency DROP CONSTRAINT idempotency_state_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_state_check CHECK (state IN ('accepting', 'accepted', 'dead'));
