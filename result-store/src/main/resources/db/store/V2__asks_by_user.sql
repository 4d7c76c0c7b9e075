-- GET /v1/asks pages through one user's asks newest first; request ids are UUIDv7, so ordering by
-- them is ordering by acceptance time, and this index serves every page with a range scan.
CREATE INDEX asks_user_request_idx ON asks (user_id, request_id);
