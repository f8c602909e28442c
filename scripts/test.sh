#!/usr/bin/env bash
# Run the whole test suite against the real PostgreSQL and Redis.
# Usage: scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_lib.sh
ensure_venv
ensure_services
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export PORTAL_VAR_DIR="${PORTAL_VAR_DIR:-$PWD/var/test}"
exec .venv/bin/python -m pytest "$@"
