"""Signing in a real Celery worker process (prefork child: the PKCS#11 library is initialised in
the child by ``worker_process_init``), against the test database and Redis db of this run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from signatures import services
from signatures.tasks import enqueue_signing
from signatures.verify import verify_pdf
from tests.factories.signatures import PIN

pytestmark = [pytest.mark.celery, pytest.mark.slow]


@pytest.fixture
def worker(official, tmp_path):  # type: ignore[no-untyped-def]
    """A ``celery -A portal worker`` subprocess sharing this test's database, Redis, tokens and media."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "PORTAL_VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery = Path(sys.executable).with_name("celery")
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [
            str(celery),
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            "-c",
            "1",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    proc.log_path = tmp_path / "worker.log"  # type: ignore[attr-defined]
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_worker_signs_a_result_with_the_officials_token(worker, official, one_page_pdf):
    document = services.signed_document_create(title="Kết quả giải quyết hồ sơ")
    enqueue_signing(
        document=document,
        unsigned=one_page_pdf,
        signer=official,
        pin=PIN,
        reason="Phê duyệt",
        location="Điện Biên",
    )

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not document.file:
        time.sleep(0.5)
        document.refresh_from_db()
        assert worker.poll() is None, worker.log_path.read_text()
    assert document.file, (
        "the worker did not sign within 60 s:\n" + worker.log_path.read_text()[-3000:]
    )
    with document.file.open("rb") as fh:
        report = verify_pdf(fh.read())
    assert [(s.signer, s.verdict) for s in report.signatures] == [("Lò Văn Thắng", "valid")]
