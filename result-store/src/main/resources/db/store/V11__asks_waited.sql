-- How long an ask waited for permits of the provider limits before its backend calls (the
-- result's waited_ms, docs/adr/0026), for the wait p95 and the share of asks that waited on
-- /observability. NULL when it did not wait, and on every ask stored before.
ALTER TABLE asks ADD COLUMN waited_ms bigint;
