"""The demo defaults (SQLite, filesystem broker, no Redis): a separate worker and beat relay the outbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.celery_support import CELERY, CeleryProcess, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.slow]

ENQUEUE = """
from django.conf import settings
from django.db import transaction
from portal.core.outbox import outbox_enqueue
settings.OUTBOX_RELAY_ON_COMMIT = False  # leave it to beat
with transaction.atomic():
    outbox_enqueue("portal.core.tasks.ping", kwargs={}, dedupe_key="demo-ping")
"""
STATUS = "from portal.core.models import OutboxMessage; print(OutboxMessage.objects.get().status)"


def test_worker_and_beat_relay_the_outbox_on_the_filesystem_broker(tmp_path: Path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_FILE_PATH", "MEDIA_ROOT")
    }
    env["PORTAL_VAR_DIR"] = str(tmp_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert CELERY  # the venv's celery script
    worker = CeleryProcess(["worker", "-c", "1", "-l", "INFO"], env, "demo-worker")
    beat = CeleryProcess(
        ["beat", "-l", "INFO", "-s", str(tmp_path / "beat-schedule"), "--pidfile", ""],
        env,
        "demo-beat",
    )
    try:
        subprocess.run(
            [*manage, "shell", "-c", ENQUEUE],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        heartbeat = tmp_path / "heartbeat" / "worker"
        assert wait_for(heartbeat.exists, timeout=40, proc=worker), worker.log() + beat.log()
        status = subprocess.run(
            [*manage, "shell", "-c", STATUS],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert status.stdout.strip().endswith("dispatched")
        assert "relay-outbox" in beat.log()
    finally:
        beat.stop()
        worker.stop()
