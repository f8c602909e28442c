# Shared helpers for scripts/*.sh (sourced).

PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

ensure_venv() {
  if [ ! -x .venv/bin/python ] || [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
    echo "==> Installing Python packages into .venv"
    "$PY" -m venv .venv
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".[test]"
    touch .venv/.installed
  fi
}

_pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
_redis_up() { [ "$(printf 'PING\r\n' | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; cat >&3; head -c 5 <&3' 2>/dev/null)" = "+PONG" ]; }

ensure_services() {
  if ! _pg_up; then
    if ls /etc/postgresql >/dev/null 2>&1; then
      echo "==> Starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "==> Installing PostgreSQL"
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      su postgres -c "psql -c \"ALTER USER postgres PASSWORD NULL\"" || true
      sed -i 's/^\(host.*127.0.0.1\/32\s*\)\S*$/\1trust/' /etc/postgresql/*/main/pg_hba.conf
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main reload || true
    fi
    for _ in $(seq 1 30); do _pg_up && break; sleep 1; done
    _pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started. Install PostgreSQL 15+ with trust auth for user postgres." >&2; exit 1; }
  fi
  if ! _redis_up; then
    if ! command -v redis-server >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "==> Installing Redis"
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server
    fi
    if command -v redis-server >/dev/null; then
      echo "==> Starting Redis"
      mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    fi
    for _ in $(seq 1 20); do _redis_up && break; sleep 0.5; done
    _redis_up || { echo "Redis is not reachable on 127.0.0.1:6379 and could not be started. Install redis-server 7+." >&2; exit 1; }
  fi
  if ! .venv/bin/python - <<'PY'
import psycopg2
c = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
c.autocommit = True
cur = c.cursor()
cur.execute("SELECT 1 FROM pg_database WHERE datname='portal'")
if not cur.fetchone():
    cur.execute("CREATE DATABASE portal")
PY
  then echo "Could not create the database 'portal' on 127.0.0.1:5432 as user postgres." >&2; exit 1; fi
}
