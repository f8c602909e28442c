"""Start real Celery worker/beat processes against this test run's database and Redis db.

Tests using them need ``@pytest.mark.django_db(transaction=True)``: the worker is another process
and sees committed rows only.

    with celery_worker(env={"EMAIL_FILE_PATH": str(tmp_path)}) as worker:
        ...
        worker.kill()          # SIGKILL the whole process group (main process and pool children)
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

CELERY = str(Path(sys.executable).with_name("celery"))


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child process: this test database, this Redis db, this var dir."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "PORTAL_VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CONN_MAX_AGE": "0",
    }
    env.update(extra or {})
    return env


class CeleryProcess:
    def __init__(self, args: list[str], env: dict[str, str], name: str) -> None:
        self.log_path = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log")[1])
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [CELERY, "-A", "portal", *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash or an OOM kill would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def wait_for(
    predicate: Callable[[], bool],
    *,
    timeout: float = 30,
    step: float = 0.2,
    proc: CeleryProcess | None = None,
) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; fail fast if ``proc`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc is not None and proc.proc.poll() is not None:
            raise AssertionError(f"celery exited ({proc.proc.returncode}):\n{proc.log()}")
        time.sleep(step)
    return predicate()


def _answers_ping(env: dict[str, str], proc: CeleryProcess, timeout: float) -> None:
    heartbeat = Path(env["PORTAL_VAR_DIR"]) / "heartbeat" / "worker"
    before = heartbeat.read_text() if heartbeat.exists() else None
    from portal.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.send_task("portal.core.tasks.ping", retry=False)
        if wait_for(
            lambda: heartbeat.exists() and heartbeat.read_text() != before, timeout=2, proc=proc
        ):
            return
    raise AssertionError(f"the worker never answered ping:\n{proc.log()}")


@contextlib.contextmanager
def celery_worker(
    *,
    concurrency: int = 2,
    env: dict[str, str] | None = None,
    beat: bool = False,
    timeout: float = 40,
) -> Iterator[CeleryProcess]:
    """A ``celery worker -P prefork -c N`` (with an embedded beat if asked), ready when it answers ping."""
    full_env = worker_env(env)
    args = [
        "worker",
        "-P",
        "prefork",
        "-c",
        str(concurrency),
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat:
        schedule = Path(tempfile.mkdtemp()) / "beat-schedule"
        args += ["-B", "-s", str(schedule)]
    worker = CeleryProcess(args, full_env, "worker")
    try:
        _answers_ping(full_env, worker, timeout)
        yield worker
    finally:
        worker.stop()


def _queue_names() -> tuple[str, ...]:
    """Every queue a task may be routed to (one per workload since issue 19), and Celery's own."""
    from portal.scaleout import ALL_QUEUES

    return (*ALL_QUEUES, "celery")


def purge_queue() -> None:
    """Drop the Celery messages left in this run's Redis db (queued, or unacked by a killed worker)."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        for name in _queue_names():
            conn.default_channel.queue_purge(name)
        conn.default_channel.client.delete("unacked", "unacked_index")


def queue_length() -> int:
    """Messages waiting in all the queues of this run's Redis db."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        return sum(int(conn.default_channel.client.llen(name)) for name in _queue_names())


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker (e.g. a dead port), then back."""
    from portal.celery import app

    def reset() -> None:
        # kombu keeps one pool per broker URL in a global registry: drop our references only
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = old
        reset()
