"""Two portal instances on loopback, each with its own database (cloned from a cached migrated
template), Redis db, var dir, SoftHSM token dir, PKI, gunicorn and Celery worker with beat. Used by
tests/documents/test_exchange_two_portals.py and bench/edxml_exchange.py."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
import redis

__all__ = [
    "BIN",
    "REDIS_DBS",
    "Portal",
    "admin_sql",
    "start_pair",
    "stop_pair",
    "template_db",
    "wait",
]

BASE = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = "postgresql://postgres@127.0.0.1:5432/"
#: Redis databases of the two instances (this worktree's tests use db 4; 12 and 13 are this test's).
REDIS_DBS = {"a": 12, "b": 13}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _query(db: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(PG + db)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def admin_sql(sql: str) -> None:
    _query("postgres", sql)


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(BASE.glob("*/migrations/*.py")) + sorted(
        BASE.glob("portal/*/migrations/*.py")
    ):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_db(env: dict[str, str]) -> str:
    """A migrated database to clone both instances from; migrated again only when a migration
    file changed (its name carries the migrations' hash)."""
    name = f"portal_h4_tpl_{_migrations_hash()}"
    existing = [
        r[0]
        for r in _query(
            "postgres",
            "SELECT datname FROM pg_database WHERE datname LIKE 'portal\\_h4\\_tpl\\_%%'",
        )
    ]
    if name in existing:
        return name
    for old in existing:
        admin_sql(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=BASE,
            env={**env, "DATABASE_URL": PG + name},
            check=True,
            capture_output=True,
            timeout=300,
        )
    except BaseException:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise
    return name


class Portal:
    def __init__(self, key: str, province: str, province_name: str, tmp: Path) -> None:
        self.key, self.province, self.province_name = key, province, province_name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = f"portal_h4_{key}"
        self.dir = tmp / key
        (self.dir / "tokens").mkdir(parents=True)
        softhsm = self.dir / "softhsm2.conf"
        softhsm.write_text(
            f"directories.tokendir = {self.dir / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
        self.env = {
            **os.environ,
            "DATABASE_URL": PG + self.db,
            "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DBS[key]}",
            "PORTAL_VAR_DIR": str(self.dir / "var"),
            "MEDIA_ROOT": str(self.dir / "media"),
            "SITE_URL": self.url,
            "SOFTHSM2_CONF": str(softhsm),
            "EDXML_RETRY_BACKOFF": "1",
            "EDXML_RETRY_BACKOFF_MAX": "2",
            "EDXML_MAX_RETRIES": "30",
            "EDXML_HTTP_TIMEOUT": "10",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        self.office = f"000.00.12.{province}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.driver: subprocess.Popen | None = None

    # --- processes ---------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.dir / f"{name}.log").open("a")
        return subprocess.Popen(
            args,
            cwd=BASE,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self) -> None:
        self.procs["web"] = self._spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "2",
                "--timeout",
                "60",
                "--preload",
            ],
        )

    def stop_web(self) -> None:
        """Take the inbound endpoint down (killed, as a crash would)."""
        proc = self.procs.pop("web")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def start(self, *, wait_up: bool = True) -> None:
        self.start_web()
        self.procs["worker"] = self._spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "-B",
                "-s",
                str(self.dir / "beat-schedule"),
                "-c",
                "2",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )
        if wait_up:
            self.wait_up()

    def wait_up(self) -> None:
        wait(lambda: self._http_up(), 60, f"{self.key} web up", (self,))

    def _http_up(self) -> bool:
        try:
            urllib.request.urlopen(self.url + "/api/v1/edxml/inbound/", timeout=2)  # noqa: S310
        except urllib.error.HTTPError as exc:
            return exc.code == 405
        except OSError:
            return False
        return False

    def stop(self) -> None:
        """Kill the web server and the worker (as a crash would: the exchange must not care)."""
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.procs.clear()

    def start_driver(self) -> None:
        self.driver = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from tests.documents.two_portals_driver import serve; serve()",
            ],
            cwd=BASE,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self.dir / "driver.log").open("a"),
            text=True,
            start_new_session=True,
        )

    def ask(self, step: str, **kwargs: Any) -> None:
        assert self.driver is not None and self.driver.stdin is not None
        self.driver.stdin.write(json.dumps({"step": step, "kwargs": kwargs}) + "\n")
        self.driver.stdin.flush()

    def answer(self) -> dict:
        assert self.driver is not None and self.driver.stdout is not None
        for line in self.driver.stdout:
            if line.startswith("RESULT "):
                return json.loads(line[7:])
            if line.startswith("ERROR "):
                raise AssertionError(f"portal {self.key}: {json.loads(line[6:])['traceback']}")
        raise AssertionError(f"portal {self.key}: driver ended\n{self.logs()}")

    def step(self, step: str, **kwargs: Any) -> dict:
        self.ask(step, **kwargs)
        return self.answer()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.dir.glob("*.log"))
        )

    # --- reading its database -----------------------------------------------------------------
    def rows(self, sql: str, *params: Any) -> list[tuple]:
        return _query(self.db, sql, params)

    def statuses(self, document_id: str) -> list[str]:
        return [
            r[0]
            for r in self.rows(
                "SELECT s.code FROM documents_recipientstatus s JOIN documents_outgoingrecipient r ON r.id = s.recipient_id "
                "JOIN documents_outgoingdocument d ON d.id = r.document_id WHERE d.document_id = %s ORDER BY s.at, s.id",
                document_id,
            )
        ]


def wait(
    predicate: Callable[[], bool], timeout: float, what: str, portals: tuple[Portal, ...] = ()
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n" + "\n".join(p.logs() for p in portals))


def start_pair(tmp: Path) -> tuple[Portal, Portal]:
    """Portal A (province H18) and portal B (H29), set up, peered, started."""
    a = Portal("a", "H18", "Điện Biên", tmp)
    b = Portal("b", "H29", "Lai Châu", tmp)
    template = template_db(a.env)
    for p in (a, b):
        admin_sql(f'DROP DATABASE IF EXISTS "{p.db}" WITH (FORCE)')
        admin_sql(f'CREATE DATABASE "{p.db}" TEMPLATE "{template}"')
        redis.Redis(
            host="127.0.0.1", port=6379, db=REDIS_DBS[p.key]
        ).flushdb()  # this test's own broker dbs: no stale tasks
        p.start_driver()
    try:
        for p in (a, b):  # servers and workers start while the people and keys are set up
            p.start(wait_up=False)
        for p in (a, b):
            p.ask(
                "setup",
                province=p.province,
                province_name=p.province_name,
                roots_out=str(p.dir / "root.pem"),
            )
        for p in (a, b):
            p.answer()
        for p, other in ((a, b), (b, a)):
            p.ask(
                "add_peer",
                name=f"Cổng dịch vụ công {other.province_name}",
                organ_code=f"*.{other.province}",
                endpoint_url=f"{other.url}/api/v1/edxml/inbound/",
                roots_file=str(other.dir / "root.pem"),
            )
        for p in (a, b):
            p.answer()
            p.wait_up()
        return a, b
    except BaseException:
        stop_pair((a, b))
        raise


def stop_pair(pair: tuple[Portal, Portal]) -> None:
    for p in pair:
        p.stop()
        if p.driver is not None and p.driver.poll() is None:
            p.driver.kill()
            p.driver.wait(timeout=10)
