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
    echo "==> Stopping web, worker, beat and the simulators"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap 'STOPPING=1; stop; exit 0' INT TERM
trap stop EXIT

# The national platforms' simulators (national/*/simulator.py), each in its own process on a free
# loopback port, stopped with the rest on Ctrl-C; the portal is pointed at them. Secrets are drawn
# for this run only.
echo "==> Starting the simulators of the national payment platform and document axis"
mkdir -p "$PORTAL_VAR_DIR/sim"
free_port() { $PY -c "from national.simkit import free_port; print(free_port())"; }
PP_PORT="$(free_port)"; AXIS_PORT="$(free_port)"
$PY -m national.simkit national.payment_platform.simulator:PaymentPlatformSimulator --port "$PP_PORT" \
  --state "$PORTAL_VAR_DIR/sim/payment-platform.json" >"$LOGS/sim-payment-platform.log" 2>&1 &
PIDS+=($!)
$PY -m national.simkit national.document_axis.simulator:DocumentAxisSimulator --port "$AXIS_PORT" \
  --state "$PORTAL_VAR_DIR/sim/document-axis.json" >"$LOGS/sim-document-axis.log" 2>&1 &
PIDS+=($!)
for port in "$PP_PORT" "$AXIS_PORT"; do
  for _ in $(seq 1 40); do curl -fsS "http://127.0.0.1:$port/_sim/health" >/dev/null 2>&1 && break; sleep 0.25; done
  curl -fsS "http://127.0.0.1:$port/_sim/health" >/dev/null || { echo "A simulator did not start; see $LOGS/sim-*.log" >&2; exit 1; }
done
rand() { $PY -c "import secrets; print(secrets.token_hex(16))"; }
export PAYMENT_GATEWAY="${PAYMENT_GATEWAY:-national}"
export PAYMENT_PLATFORM_INIT_URL="http://127.0.0.1:$PP_PORT/init" PAYMENT_PLATFORM_QUERY_URL="http://127.0.0.1:$PP_PORT/query"
export PAYMENT_PLATFORM_BILL_URL="http://127.0.0.1:$PP_PORT/bill" PAYMENT_PLATFORM_PARTNER_CODE="DEMO-H18"
export PAYMENT_PLATFORM_SECRET="$(rand)" PAYMENT_PLATFORM_CALLBACK_SECRET="$(rand)" PAYMENT_PLATFORM_QUERY_AFTER=30
curl -fsS -X POST "http://127.0.0.1:$PP_PORT/_sim/partner" -H 'Content-Type: application/json' -d "{\"code\": \"$PAYMENT_PLATFORM_PARTNER_CODE\",
  \"secret\": \"$PAYMENT_PLATFORM_SECRET\", \"callback_secret\": \"$PAYMENT_PLATFORM_CALLBACK_SECRET\",
  \"callback_url\": \"$SITE_URL/thanh-toan/nen-tang-quoc-gia/xac-nhan/\", \"return_url\": \"$SITE_URL/thanh-toan/nen-tang-quoc-gia/ket-qua/\"}" >/dev/null
export DOCUMENT_AXIS_URL="http://127.0.0.1:$AXIS_PORT" DOCUMENT_AXIS_SYSTEM_ID="demo-portal" DOCUMENT_AXIS_SECRET="$(rand)"
export DOCUMENT_AXIS_ROUTES="${DOCUMENT_AXIS_ROUTES:-*.H18}" DOCUMENT_AXIS_POLL_INTERVAL=10
curl -fsS -X POST "http://127.0.0.1:$AXIS_PORT/_sim/system" -H 'Content-Type: application/json' \
  -d "{\"systemid\": \"$DOCUMENT_AXIS_SYSTEM_ID\", \"secret\": \"$DOCUMENT_AXIS_SECRET\", \"organs\": [\"*.H18\"]}" >/dev/null

# The national e-ID for the demo: our VNeID simulator (national/vneid_simulator), its own process
# on loopback, unless VNEID_ISSUER points at a real sign-on.
if [ -z "${VNEID_ISSUER:-}" ]; then
  VNEID_PORT="${VNEID_PORT:-$(free_port)}"
  export VNEID_CLIENT_ID=portal-dienbien VNEID_CLIENT_SECRET="${VNEID_CLIENT_SECRET:-demo-vneid-secret}"
  export VNEID_ISSUER="http://127.0.0.1:$VNEID_PORT/o"
  echo "==> Starting the VNeID simulator on 127.0.0.1:$VNEID_PORT"
  VNEID_SIM_CONTROL_TOKEN="${VNEID_SIM_CONTROL_TOKEN:-demo-control}" $PY -m national.vneid_simulator.serve --port "$VNEID_PORT" \
    --client-secret "$VNEID_CLIENT_SECRET" --workdir "$PORTAL_VAR_DIR/vneid" \
    --redirect-uri "$SITE_URL/tai-khoan/vneid/callback/" --post-logout-redirect-uri "$SITE_URL/" >"$LOGS/vneid.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$VNEID_PORT/_sim/health" >/dev/null 2>&1 && break; sleep 0.5; done
fi

echo "==> Starting the simulated national public-service portal (DVCQG)"
DVCQG_PORT="${DVCQG_PORT:-$(free_port)}"
$PY -m national.simkit national.dvcqg.simulator:DvcqgSimulator --port "$DVCQG_PORT" \
  --state "$PORTAL_VAR_DIR/dvcqg-sim.json" >"$LOGS/dvcqg-sim.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$DVCQG_PORT/_sim/health" >/dev/null 2>&1 && break; sleep 0.3; done
curl -fsS "http://127.0.0.1:$DVCQG_PORT/_sim/public-key" > "$PORTAL_VAR_DIR/dvcqg-public.pem"
export DVCQG_URL="http://127.0.0.1:$DVCQG_PORT" DVCQG_USERNAME=tinh DVCQG_PASSWORD=demo-dvcqg-password DVCQG_DSTCODE=H18
export DVCQG_PUSH_PUBLIC_KEY="$PORTAL_VAR_DIR/dvcqg-public.pem"

echo "==> Starting gunicorn, Celery worker and Celery beat (logs in $LOGS)"
# Threads: a signature asks the portal's own time-stamp authority (same server) within the request;
# with two single-threaded workers both can be busy and the signature times out (10 s).
.venv/bin/gunicorn portal.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 60 \
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

# The simulated DVCQG pushes to this portal; one dossier is filed there for the demo clerk.
curl -fsS -X POST -H 'Content-Type: application/json' "$DVCQG_URL/_sim/config" \
  -d "{\"push_url\": \"http://127.0.0.1:$PORT/api/v1/national/dvcqg/inbound/\"}" >/dev/null
$PY - <<'PY' > "$LOGS/dvcqg-demo.txt" 2>&1 || echo "  (no demo dossier filed on the simulated DVCQG; see $LOGS/dvcqg-demo.txt)"
import base64, json, os, urllib.request
import django
django.setup()
from procedures.models import Procedure
p = Procedure.objects.filter(level=4, state="published", agencies__isnull=False).first()
agency = p.agencies.first()
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
pdf, offsets = bytearray(b"%PDF-1.4\n"), []
for n, body in enumerate(objs, start=1):
    offsets.append(len(pdf)); pdf += b"%d 0 obj\n" % n + body + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
pdf += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
filing = {"MaTTHC": p.code, "MaDonViNhan": agency.code, "ChuHoSo": "Lò Thị Mai", "SoGiayToChuHoSo": "011200001234",
          "TaiKhoanDuocXacThucVoiVNeID": "1", "DuLieuBieuMau": {"ghi_chu": "Nộp trên Cổng DVCQG (mô phỏng)"},
          "TaiLieuNop": [{"TenTepDinhKem": "to-khai.pdf", "DuLieuTepTin": base64.b64encode(bytes(pdf)).decode()}]}
req = urllib.request.Request(os.environ["DVCQG_URL"] + "/_sim/file", data=json.dumps(filing).encode(), method="POST")
print(json.loads(urllib.request.urlopen(req, timeout=5).read())["MaHoSo"], p.code, agency.code)
PY

cat <<MSG

  Simulated national public-service portal (DVCQG): $DVCQG_URL/_sim/state
  A dossier filed there arrives in the clerk's queue; its changes go back (sync page:
  $SITE_URL/quoc-gia/dvcqg/dong-bo/ as admin).

  Cổng dịch vụ công một cửa / One-stop public-service portal is running:

      $SITE_URL/

  Web (gunicorn), Celery worker and Celery beat are up; the worker answered a ping.
  Admin: $SITE_URL/admin/   API docs: $SITE_URL/api/v1/docs/
  Outgoing e-mails are written to $PORTAL_VAR_DIR/mail/
  National e-ID (simulated VNeID): "Đăng nhập bằng VNeID" on the login page; demo identities
  011090001234 (level 2), 011095005678 (level 1), 011088009999 (business), password VNeID@2026.
  National payment platform (simulated): http://127.0.0.1:$PP_PORT/_sim/state
  National document axis (simulated, organs $DOCUMENT_AXIS_ROUTES): http://127.0.0.1:$AXIS_PORT/_sim/state

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
