-- A batch's terminal event (ask.batch.events, docs/adr/0030) is delivered through the same outbox
-- as an ask's webhook, but it has no ask. A delivery is therefore keyed by its webhook-id (msg_ and
-- the request id for an ask's, the event id evt_... for a batch's), which is what already made it
-- one delivery; it is about either an ask (request_id, still cascading from the ask, so an ask's
-- delivery and attempts go when the ask is purged) or a batch (batch_id, deleted by age with the
-- store's retention). Attempts follow their delivery by webhook-id.
ALTER TABLE webhook_attempts ADD COLUMN webhook_id varchar(64);
UPDATE webhook_attempts SET webhook_id = (
    SELECT d.webhook_id FROM webhook_deliveries d WHERE d.request_id = webhook_attempts.request_id);
ALTER TABLE webhook_attempts ALTER COLUMN webhook_id SET NOT NULL;
ALTER TABLE webhook_attempts DROP CONSTRAINT webhook_attempts_delivery_fk;
ALTER TABLE webhook_attempts DROP CONSTRAINT webhook_attempts_pk;
ALTER TABLE webhook_attempts DROP COLUMN request_id;

-- the foreign key to the ask is made again over the new unique key (jOOQ's DDL simulation cannot
-- drop a primary key that a foreign key's index shares)
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_ask_fk;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_pk;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_pk PRIMARY KEY (webhook_id);
ALTER TABLE webhook_deliveries ALTER COLUMN request_id DROP NOT NULL;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_ask_key UNIQUE (request_id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_ask_fk
    FOREIGN KEY (request_id) REFERENCES asks (request_id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries ADD COLUMN batch_id varchar(64);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_subject_check CHECK (
    (request_id IS NOT NULL AND batch_id IS NULL) OR (request_id IS NULL AND batch_id IS NOT NULL));
-- the purge deletes a batch's delivery by its age
CREATE INDEX webhook_deliveries_batch_created_idx ON webhook_deliveries (created_at) WHERE batch_id IS NOT NULL;

ALTER TABLE webhook_attempts ADD CONSTRAINT webhook_attempts_pk PRIMARY KEY (webhook_id, attempt);
ALTER TABLE webhook_attempts ADD CONSTRAINT webhook_attempts_delivery_fk
    FOREIGN KEY (webhook_id) REFERENCES webhook_deliveries (webhook_id) ON DELETE CASCADE;
