"""The zero-set-up demo runs a REAL Celery worker on kombu's filesystem broker (no Redis).

Starts ``celery -A portal worker`` with the demo defaults (no REDIS_URL, no DATABASE_URL) in a
scratch var dir, sends ``portal.core.tasks.ping`` from another process and waits for the
worker's heartbeat file, as ``scripts/run-demo.sh`` does at start-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.celery, pytest.mark.slow]


def _demo_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    env.update(
        PORTAL_DEMO="1", PORTAL_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="portal.settings"
    )
    return env


def test_worker_consumes_a_task_from_the_filesystem_broker(tmp_path: Path):
    env = _demo_env(tmp_path)
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [
            str(celery),
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            "test@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        send = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from portal.core.tasks import ping; ping.delay()",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert send.returncode == 0, send.stderr
        assert (
            list((tmp_path / "broker" / "out").iterdir())
            or (tmp_path / "heartbeat" / "worker").exists()
        )

        heartbeat = tmp_path / "heartbeat" / "worker"
        deadline = time.monotonic() + 40
        while not heartbeat.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.25)
        assert heartbeat.exists(), "the worker never ran portal.core.tasks.ping"
        assert heartbeat.read_text(encoding="utf-8").startswith(str(time.localtime().tm_year))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            out, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            out, _ = worker.communicate()
    assert "succeeded" in out and "portal.core.tasks.ping" in out, out[-2000:]
