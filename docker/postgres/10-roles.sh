#!/bin/sh
# Run once by the postgres image when it creates the database (/docker-entrypoint-initdb.d).
# Two roles besides the cluster's superuser (which nothing of the portal uses):
#   portal_owner  owns the schema and every table; migrations run as it (MIGRATION_DATABASE_URL).
#   portal_app    what gunicorn, the worker and beat connect as (DATABASE_URL): owns nothing, so it
#                 cannot ALTER TABLE ... DISABLE TRIGGER, and is no superuser, so it cannot set
#                 session_replication_role; migrations leave it SELECT and INSERT only on the
#                 dossier history and its checkpoints (dossiers migration 0006).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" -v owner_pw="$DB_OWNER_PASSWORD" -v app_pw="$DB_APP_PASSWORD" <<'SQL'
CREATE ROLE portal_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_pw';
CREATE ROLE portal_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'app_pw';
ALTER DATABASE :"db" OWNER TO portal_owner;
ALTER SCHEMA public OWNER TO portal_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO portal_app;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO portal_app;
ALTER DEFAULT PRIVILEGES FOR ROLE portal_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portal_app;
ALTER DEFAULT PRIVILEGES FOR ROLE portal_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO portal_app;
SQL
