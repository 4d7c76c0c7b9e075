-- The W3C trace context of the ask, sent on with its webhook and logged with each attempt.
ALTER TABLE webhook_deliveries ADD COLUMN traceparent varchar(55);
