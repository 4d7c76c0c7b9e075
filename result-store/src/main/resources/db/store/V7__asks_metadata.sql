-- The client's labels of an ask (metadata: at most 16 string pairs), NULL when it has none. Returned
-- with the ask, and matched by GET /v1/asks?metadata.KEY=VALUE as jsonb containment (@>), which
-- this GIN index serves (the default operator class: jOOQ's DDL interpreter does not parse another).
ALTER TABLE asks ADD COLUMN metadata jsonb;
CREATE INDEX asks_metadata_idx ON asks USING gin (metadata);
