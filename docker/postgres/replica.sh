#!/bin/sh
# Entry point of the compose service db-replica: on first start, copy the primary with
# pg_basebackup -R -X stream (a hot standby that follows it), then run PostgreSQL (issue 19).
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h db -U "$POSTGRES_USER"; do sleep 1; done
  export PGPASSWORD="$POSTGRES_PASSWORD"
  pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -c fast
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
