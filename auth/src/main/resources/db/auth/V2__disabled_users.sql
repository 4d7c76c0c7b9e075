-- A disabled user keeps its keys, but every request with them is refused (403) until the user is
-- enabled again: a reversible stop, unlike revoking a key family.
ALTER TABLE users ADD COLUMN disabled_at timestamp with time zone;
