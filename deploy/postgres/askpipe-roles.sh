#!/usr/bin/env bash
# Creates askpipe's database roles and schemas (askpipe-roles.sql) when the postgres container
# initialises an empty data directory: the image runs the scripts of /docker-entrypoint-initdb.d/
# once, as POSTGRES_USER, against POSTGRES_DB. The roles' passwords come from the container's
# environment, which docker-compose.yml takes from .env (docs/deployment.md).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v auth_password="$AUTH_DATABASE_PASSWORD" \
  -v ingest_password="$INGEST_DATABASE_PASSWORD" \
  -v router_password="$ROUTER_DATABASE_PASSWORD" \
  -v store_password="$STORE_DATABASE_PASSWORD" \
  -f /askpipe/askpipe-roles.sql
