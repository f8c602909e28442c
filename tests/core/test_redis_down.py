"""Issue 13 (Medium): with Redis stopped, the tracking page and API and the signature-verification
API answered 500 (the cache and DRF's throttles raised ConnectionError) while /healthz said ok.

A real redis-server of this test's own, on a port it checked is free, serves as the cache and the
broker; it is shut down in the middle of the test and started again.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from portal.core import cache as degrading
from tests.celery_support import wait_for
from tests.dossiers.conftest import world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(port: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=10
    )


def _start(port: int, tmp_path) -> None:
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(tmp_path / f"redis-{port}.pid"),
            "--dir",
            str(tmp_path),
        ],
        check=True,
        timeout=10,
    )
    assert wait_for(lambda: _cli(port, "ping").stdout.strip() == "PONG", timeout=10)


def _stop(port: int) -> None:
    _cli(port, "shutdown", "nosave")
    assert wait_for(lambda: _cli(port, "ping").returncode != 0, timeout=10)


@pytest.fixture
def own_redis(tmp_path, settings):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    _start(port, tmp_path)
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": url}
    }  # the portal's own backend
    settings.CELERY_BROKER_URL = url
    degrading.DegradingRedisCache._down_until = 0.0
    yield port
    _stop(port) if _cli(port, "ping").returncode == 0 else None
    degrading.DegradingRedisCache._down_until = 0.0


def _requests(client, api, dossier):
    page = client.get("/ho-so/tra-cuu/", {"code": dossier.code, "second_factor": "4321"})
    tracking = api.get("/api/v1/tracking/", {"code": dossier.code, "second_factor": "4321"})
    verify = api.post(
        "/api/v1/signatures/verify/",
        {"file": SimpleUploadedFile("a.pdf", b"not a pdf", "application/pdf")},
        format="multipart",
    )
    return page, tracking, verify


def test_public_pages_degrade_and_healthz_tells_which_part_is_down(
    own_redis, world, tmp_path, client
):  # noqa: F811
    dossier = world.received()
    api = APIClient(raise_request_exception=False)
    client.raise_request_exception = False
    page, tracking, verify = _requests(client, api, dossier)
    assert (page.status_code, tracking.status_code, verify.status_code) == (200, 200, 400)
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
    }

    _stop(own_redis)
    started = time.monotonic()
    page, tracking, verify = _requests(client, api, dossier)
    assert (page.status_code, tracking.status_code, verify.status_code) == (200, 200, 400)
    assert dossier.code in page.content.decode() and tracking.json()["code"] == dossier.code
    assert time.monotonic() - started < 5
    health = client.get("/healthz")
    assert (health.status_code, health.json()) == (
        200,
        {"status": "degraded", "database": "ok", "broker": "down", "cache": "down"},
    )

    _start(own_redis, tmp_path)
    assert wait_for(
        lambda: client.get("/healthz").json()["status"] == "ok", timeout=degrading.PAUSE + 5
    )
