#!/usr/bin/env bash
# Install what is needed and start the portal with demo data on the embedded defaults:
# SQLite, a filesystem Celery broker (no Redis), gunicorn web, a real Celery worker and Celery beat.
# Prints the URL and the demo logins; Ctrl-C stops all three.
#
#   ./scripts/run-demo.sh            # http://127.0.0.1:8000
#   PORT=8080 ./scripts/run-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_lib.sh
ensure_venv

# The demo never uses external services, even when the shell has them configured.
unset DATABASE_URL REDIS_URL
export PORTAL_DEMO=1
export PORTAL_VAR_DIR="${PORTAL_VAR_DIR:-$PWD/var/demo}"
export DJANGO_SETTINGS_MODULE=portal.settings
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
LOGS="$PORTAL_VAR_DIR/logs"
mkdir -p "$LOGS"
PY=.venv/bin/python

echo "==> Database (SQLite in $PORTAL_VAR_DIR)"
$PY manage.py migrate --noinput -v 0
echo "==> Demo data"
$PY manage.py seed_demo > "$LOGS/seed_demo.txt"

PIDS=()
stop() {
  trap - INT TERM EXIT
  if [ "${#PIDS[@]}" -gt 0 ]; then
    echo
    echo "==> Stopping web, worker and beat"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap 'STOPPING=1; stop; exit 0' INT TERM
trap stop EXIT

# The national e-ID for the demo: our VNeID simulator (national/vneid_simulator), its own process
# on loopback, unless VNEID_ISSUER points at a real sign-on.
if [ -z "${VNEID_ISSUER:-}" ]; then
  VNEID_PORT="${VNEID_PORT:-$((PORT + 100))}"
  export VNEID_CLIENT_ID=portal-dienbien VNEID_CLIENT_SECRET="${VNEID_CLIENT_SECRET:-demo-vneid-secret}"
  export VNEID_ISSUER="http://127.0.0.1:$VNEID_PORT/o"
  echo "==> Starting the VNeID simulator on 127.0.0.1:$VNEID_PORT"
  VNEID_SIM_CONTROL_TOKEN="${VNEID_SIM_CONTROL_TOKEN:-demo-control}" $PY -m national.vneid_simulator.serve --port "$VNEID_PORT" \
    --client-secret "$VNEID_CLIENT_SECRET" --workdir "$PORTAL_VAR_DIR/vneid" \
    --redirect-uri "$SITE_URL/tai-khoan/vneid/callback/" --post-logout-redirect-uri "$SITE_URL/" >"$LOGS/vneid.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$VNEID_PORT/_sim/health" >/dev/null 2>&1 && break; sleep 0.5; done
fi

echo "==> Starting gunicorn, Celery worker and Celery beat (logs in $LOGS)"
.venv/bin/gunicorn portal.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --access-logfile "$LOGS/web-access.log" >"$LOGS/web.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A portal worker --loglevel INFO --concurrency 2 --hostname "demo@%h" >"$LOGS/worker.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A portal beat --loglevel INFO --schedule "$PORTAL_VAR_DIR/celerybeat-schedule" \
  --pidfile "" >"$LOGS/beat.log" 2>&1 &
PIDS+=($!)

# Wait for the web server, then prove the worker consumes the queue with a ping task.
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "The web server did not start; see $LOGS/web.log" >&2; exit 1; }
rm -f "$PORTAL_VAR_DIR/heartbeat/worker"
$PY -c "import django; django.setup(); from portal.core.tasks import ping; ping.delay()"
for _ in $(seq 1 60); do [ -f "$PORTAL_VAR_DIR/heartbeat/worker" ] && break; sleep 0.5; done
[ -f "$PORTAL_VAR_DIR/heartbeat/worker" ] || { echo "The Celery worker did not answer; see $LOGS/worker.log" >&2; exit 1; }
for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || { echo "A process died; see $LOGS" >&2; exit 1; }; done

cat <<MSG

  Cổng dịch vụ công một cửa / One-stop public-service portal is running:

      $SITE_URL/

  Web (gunicorn), Celery worker and Celery beat are up; the worker answered a ping.
  Admin: $SITE_URL/admin/   API docs: $SITE_URL/api/v1/docs/
  Outgoing e-mails are written to $PORTAL_VAR_DIR/mail/
  National e-ID (simulated VNeID): "Đăng nhập bằng VNeID" on the login page; demo identities
  011090001234 (level 2), 011095005678 (level 1), 011088009999 (business), password VNeID@2026.

MSG
sed 's/^/  /' "$LOGS/seed_demo.txt"
echo
echo "  Press Ctrl-C to stop."
# Returns when any of the three exits (or on Ctrl-C); the trap then stops the others.
rc=0
wait -n "${PIDS[@]}" || rc=$?
for p in "${PIDS[@]}"; do
  kill -0 "$p" 2>/dev/null || { [ -n "${STOPPING:-}" ] || echo "A portal process exited (status $rc); see $LOGS" >&2; }
done
exit "$rc"
