#!/bin/sh
# Entry point of the "pgbouncer" service: write the auth file from the environment (the password
# never sits in the repository or the image), then run PgBouncer with docker/pgbouncer/pgbouncer.ini.
set -eu
: "${DB_APP_PASSWORD:?set DB_APP_PASSWORD}"
mkdir -p /tmp/pgbouncer
umask 077
printf '"portal_app" "%s"\n' "$DB_APP_PASSWORD" > /tmp/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
