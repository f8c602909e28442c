"""Nothing lost: a submission and a clerk's request succeed while the broker is stopped or hangs,
are delivered once it is back, and nothing is sent twice.

Runs its own throw-away Redis on port 6390 (never the shared one on 6379): stopped with SHUTDOWN
NOSAVE and started again, or paused with CLIENT PAUSE (a broker that accepts but never answers).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.urls import reverse

from dossiers import services
from dossiers.models import Dossier
from portal.core.models import OutboxMessage
from tests.celery_support import broker, celery_worker, purge_queue, wait_for
from tests.notifications.test_worker import sent_mails

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PORT = 6390
URL = f"redis://127.0.0.1:{PORT}/0"
LIMIT = 3.5  # seconds: the 2 s broker timeouts and some slack on a busy 2-core machine
#: A whole page request (login session, form, service, redirect) on a 2-core machine that also runs
#: the worker and its beat: ~1.5 s of its own (measured) plus at most the 2 s broker timeout.
REQUEST_LIMIT = 5.0


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["redis-cli", "-p", str(PORT), *args], capture_output=True, text=True, timeout=10
    )


def _start(pidfile: Path) -> None:
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(pidfile),
        ],
        check=True,
        timeout=10,
    )
    assert wait_for(lambda: _cli("ping").stdout.strip() == "PONG", timeout=10)


def _stop() -> None:
    _cli("shutdown", "nosave")
    assert wait_for(
        lambda: _cli("ping").returncode != 0 or "PONG" not in _cli("ping").stdout, timeout=10
    )


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    if _cli("ping").stdout.strip() == "PONG":
        pytest.fail(f"something already listens on {PORT}: this test needs the port to itself")
    pidfile = tmp_path / "redis.pid"
    _start(pidfile)
    with broker(URL):
        purge_queue()
        yield pidfile
    _stop()


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def _notifications():
    return OutboxMessage.objects.filter(task_name="portal.notifications.tasks.send_dossier_event")


def _worker_env(mail_dir: Path) -> dict[str, str]:
    return {"REDIS_URL": URL, "EMAIL_FILE_PATH": str(mail_dir)}


def test_submission_and_request_while_redis_is_stopped_are_delivered_after_restart(
    world, client, own_redis, mail_dir
):
    draft = world.draft()
    with celery_worker(env=_worker_env(mail_dir), beat=True):
        _stop()

        started = time.monotonic()
        services.dossier_submit(dossier=draft, actor=world.citizen)
        submit_seconds = time.monotonic() - started

        client.force_login(world.clerk)
        started = time.monotonic()
        response = client.post(
            reverse("dossiers:act", args=[draft.pk, "receive"]), {"receive-comment": ""}
        )
        request_seconds = time.monotonic() - started
        print(
            f"with Redis stopped: submit {submit_seconds:.2f} s, clerk request {request_seconds:.2f} s"
        )

        assert response.status_code == 302
        assert submit_seconds < LIMIT and request_seconds < REQUEST_LIMIT
        dossier = Dossier.objects.get(pk=draft.pk)
        assert dossier.status == 2 and dossier.code  # received, saved, with its code
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"pending"}
        # the two notifications (submitted, received); the receipt form and the dashboards refresh
        # wait in the outbox with them
        assert _notifications().count() == 2
        assert sent_mails(mail_dir) == []

    # The broker is back. The worker and its beat start again as their supervisor restarts them
    # (with kombu 5.7 a worker that loses Redis while holding an unacked message may exit with
    # "Unrecoverable error: AttributeError 'NoneType' object has no attribute 'hostname'").
    _start(own_redis)
    with celery_worker(env=_worker_env(mail_dir), beat=True) as worker:
        delivered = wait_for(lambda: len(sent_mails(mail_dir)) >= 2, timeout=90)
        assert delivered, (
            list(OutboxMessage.objects.values("status", "attempts", "available_at", "last_error")),
            worker.log(),
        )
        time.sleep(6)  # another relay pass: nothing is published or sent twice

    mails = sent_mails(mail_dir)
    assert len(mails) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"dispatched"}
    assert all(world.citizen.email in m for m in mails)


def test_a_hanging_broker_does_not_block_the_request(world, own_redis, mail_dir):
    draft = world.draft()
    with celery_worker(env=_worker_env(mail_dir), beat=True):
        assert (
            _cli("client", "pause", "8000", "all").stdout.strip() == "OK"
        )  # accepts, never answers
        started = time.monotonic()
        services.dossier_submit(dossier=draft, actor=world.citizen)
        elapsed = time.monotonic() - started
        print(f"with Redis hanging: submit {elapsed:.2f} s")
        assert elapsed < LIMIT
        assert Dossier.objects.get(pk=draft.pk).status == 1
        assert _notifications().get().status == "pending"

        assert wait_for(lambda: len(sent_mails(mail_dir)) >= 1, timeout=90), (
            OutboxMessage.objects.values("status", "last_error")
        )
        time.sleep(6)

    assert len(sent_mails(mail_dir)) == 1
    assert _notifications().get().status == "dispatched"
