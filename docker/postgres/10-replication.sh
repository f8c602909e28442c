#!/bin/sh
# Lets the streaming replica (compose service db-replica) connect for replication (issue 19).
# Runs once, when the primary's data folder is first initialised (docker-entrypoint-initdb.d).
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
