#!/usr/bin/env bash
# The project's checks, in the order CI runs them after the tests (.ci/run): formatting, lint,
# templates, types, the import contract, the committed OpenAPI schema, migrations.
#
#   scripts/check.sh          # all of them; exits non-zero on the first that fails
#   scripts/check.sh --fix    # let ruff and djLint rewrite what they can first
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_lib.sh
ensure_venv
export PORTAL_DEMO="${PORTAL_DEMO:-1}" DJANGO_SETTINGS_MODULE=portal.settings
V=.venv/bin
if [ "${1:-}" = "--fix" ]; then
  $V/ruff format .
  $V/ruff check --fix .
  $V/djlint --reformat . >/dev/null || true  # exits 1 when it rewrote a file; the gate below decides
fi
step() { echo "==> $*"; }
step "ruff format --check"; $V/ruff format --check .
step "ruff check";          $V/ruff check .
step "djLint format (templates)"; $V/djlint --check .
step "djLint lint (templates)";   $V/djlint --lint .
step "mypy";                $V/mypy
step "import contract";     $V/lint-imports --no-cache
step "OpenAPI schema drift (docs/api/openapi.yaml)"
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
# The schema is written on the embedded defaults (SQLite), so it does not depend on the database.
env -u DATABASE_URL $V/python manage.py spectacular --validate --fail-on-warn --file "$tmp" 2>/dev/null
diff -u docs/api/openapi.yaml "$tmp" || { echo "The API changed: run 'env -u DATABASE_URL PORTAL_DEMO=1 python manage.py spectacular --file docs/api/openapi.yaml' and commit the schema." >&2; exit 1; }
step "migrations";          $V/python manage.py makemigrations --check --dry-run -v 1
echo "==> All checks passed"
