#!/usr/bin/env bash
# Run the whole test suite against the real PostgreSQL and Redis.
# Usage: scripts/test.sh [pytest args...]      e.g. scripts/test.sh tests/core -q
#
# On a fresh machine it creates .venv and installs the project with its test extras (Playwright's
# Python package only: browser tests drive Debian's /usr/bin/chromium, nothing is downloaded),
# starts PostgreSQL and Redis if they are not running, then runs pytest; pytest's exit code is
# the script's. TEST_DATABASE_URL / TEST_REDIS_URL point it elsewhere (pytest-django creates
# test_<name>); the database is reused between runs: add --create-db after a migration change.
set -euo pipefail
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd "$(dirname "$0")/.."
. scripts/_lib.sh
ensure_venv
ensure_services
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export PORTAL_VAR_DIR="${PORTAL_VAR_DIR:-$PWD/var/test}"
# The settings default to production (PORTAL_DEMO=0: SECRET_KEY required, HTTPS only); the tests
# run the demo configuration on purpose (tests that check production set PORTAL_DEMO=0 themselves).
export PORTAL_DEMO=1
exec .venv/bin/python -m pytest "$@"
