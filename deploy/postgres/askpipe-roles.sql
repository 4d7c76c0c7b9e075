-- askpipe's database roles: each service logs in as its own role, which owns its own schema and
-- reaches no other, so that a service (or a leaked password of one) can read and change only what
-- that service keeps. Flyway, run by each service at start, fills the schema its role owns.
--
--   askpipe_ingest  schema ingest (the idempotency ledger); reads auth
--   askpipe_router  schema router (results by request id)
--   askpipe_store   schema store (asks, webhook deliveries and secrets); reads auth
--   askpipe_auth    schema auth (users and API key hashes): `askpipe admin` and its migrations
--
-- Run once by psql on an empty database (docker-compose.yml mounts askpipe-roles.sh into the
-- postgres image's /docker-entrypoint-initdb.d/), the passwords given as psql variables. The
-- grants are tested by DatabaseRolesIT against a real PostgreSQL.

-- nobody but these roles connects, and nobody creates tables outside the four schemas
REVOKE ALL ON SCHEMA public FROM PUBLIC;
DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()); END $$;

CREATE ROLE askpipe_auth LOGIN PASSWORD :'auth_password';
CREATE ROLE askpipe_ingest LOGIN PASSWORD :'ingest_password';
CREATE ROLE askpipe_router LOGIN PASSWORD :'router_password';
CREATE ROLE askpipe_store LOGIN PASSWORD :'store_password';

DO $$ BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO askpipe_auth, askpipe_ingest, askpipe_router, askpipe_store',
                   current_database());
END $$;

CREATE SCHEMA auth AUTHORIZATION askpipe_auth;
CREATE SCHEMA ingest AUTHORIZATION askpipe_ingest;
CREATE SCHEMA router AUTHORIZATION askpipe_router;
CREATE SCHEMA store AUTHORIZATION askpipe_store;

-- the ingest API and the result store authenticate callers: they read accounts and never change
-- them. The grant covers every table askpipe_auth creates in auth from now on (its migrations and
-- Flyway's history, which the services' own check of the schema reads).
GRANT USAGE ON SCHEMA auth TO askpipe_ingest, askpipe_store;
ALTER DEFAULT PRIVILEGES FOR ROLE askpipe_auth IN SCHEMA auth GRANT SELECT ON TABLES TO askpipe_ingest, askpipe_store;
