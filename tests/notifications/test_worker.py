"""Notifications through a real Celery worker, the real Redis and the test database.

Mails go to a file backend in a temp folder (another process's locmem outbox cannot be read): a sent
mail is one ``Message-ID`` header in those files.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import transaction

from portal.core.models import OutboxMessage
from portal.core.outbox import outbox_enqueue, relay_outbox
from portal.notifications.models import Notification, NotificationChannel
from tests.celery_support import broker, celery_worker, purge_queue, wait_for
from tests.factories.dossiers import DossierFactory

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TASK = "portal.notifications.tasks.send_dossier_event"


def sent_mails(folder: Path) -> list[str]:
    text = "".join(p.read_text(errors="replace") for p in folder.glob("*.log"))
    return [chunk for chunk in text.split("-" * 79) if "Message-ID:" in chunk]


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    purge_queue()
    yield folder
    purge_queue()


@pytest.fixture
def dossier():
    return DossierFactory(
        received=True,
        applicant=None,
        applicant_name="Lò Thị Mai",
        applicant_email="mai@example.vn",
        applicant_phone="",
    )


def submit_event(dossier, event: str, key: str) -> None:
    with transaction.atomic():
        outbox_enqueue(
            TASK, kwargs={"dossier_id": dossier.pk, "event": event, "user_id": None}, dedupe_key=key
        )


def test_event_relayed_and_sent_exactly_once(mail_dir, dossier):
    with celery_worker(env={"EMAIL_FILE_PATH": str(mail_dir)}) as worker:
        submit_event(dossier, "received", "dossier:1:event:7")
        submit_event(dossier, "received", "dossier:1:event:7")  # the same event again
        assert wait_for(lambda: len(sent_mails(mail_dir)) >= 1, proc=worker), worker.log()
        time.sleep(2)  # time enough for a wrong second send to show

    mails = sent_mails(mail_dir)
    assert len(mails) == 1
    assert "mai@example.vn" in mails[0] and dossier.code in mails[0]
    assert OutboxMessage.objects.get().status == "dispatched"
    notification = Notification.objects.get()
    assert (
        notification.state == "sent"
        and notification.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    )


def test_two_workers_racing_send_each_of_200_notifications_once(mail_dir, dossier):
    rows = Notification.objects.bulk_create(
        Notification(
            address=f"n{i}@example.vn",
            channel=NotificationChannel.EMAIL,
            event="received",
            dossier_id=dossier.pk,
            subject=f"Thông báo {i}",
            body="Nội dung",
            event_key=f"race:{i}",
        )
        for i in range(200)
    )
    from portal.celery import app

    env = {"EMAIL_FILE_PATH": str(mail_dir)}
    with celery_worker(env=env) as first, celery_worker(env=env) as second:
        for _ in range(2):  # every id published twice: at-least-once delivery
            for row in rows:
                app.send_task(
                    "portal.notifications.tasks.deliver",
                    kwargs={"notification_id": row.pk},
                    retry=False,
                )
        wait_for(
            lambda: Notification.objects.filter(state="sent").count() == 200, timeout=90, proc=first
        )
        time.sleep(1)
        assert second.proc.poll() is None

    assert len(sent_mails(mail_dir)) == 200
    assert Notification.objects.filter(state="sent").count() == 200


def test_worker_killed_mid_send_is_redelivered_once_by_the_sweep(mail_dir, dossier):
    env = {
        "EMAIL_FILE_PATH": str(mail_dir),
        "EMAIL_BACKEND": "tests.notifications.slow_backend.SlowFileBackend",
        "SLOW_MAIL_SECONDS": "4",
        "NOTIFICATION_CLAIM_TIMEOUT": "2",
    }
    with celery_worker(env=env) as worker:
        submit_event(dossier, "result_ready", "dossier:1:event:9")
        assert wait_for(
            lambda: Notification.objects.filter(state="sending").exists(), proc=worker
        ), worker.log()
        worker.kill()
    assert sent_mails(mail_dir) == []
    assert Notification.objects.get().state == "sending"

    from portal.celery import app

    with celery_worker(env={**env, "SLOW_MAIL_SECONDS": "0"}) as worker:
        time.sleep(2)  # older than the claim timeout
        app.send_task("portal.notifications.tasks.requeue_stuck", retry=False)
        assert wait_for(lambda: Notification.objects.filter(state="sent").exists(), proc=worker), (
            worker.log()
        )
        app.send_task(
            "portal.notifications.tasks.requeue_stuck", retry=False
        )  # a second sweep sends nothing
        time.sleep(2)

    assert len(sent_mails(mail_dir)) == 1


def test_redis_down_during_the_business_transaction(mail_dir, dossier):
    started = time.monotonic()
    with broker("redis://127.0.0.1:6399/7"):
        submit_event(dossier, "refused", "dossier:1:event:11")
    assert time.monotonic() - started < 3.5
    assert OutboxMessage.objects.get().status == "pending"

    with celery_worker(env={"EMAIL_FILE_PATH": str(mail_dir)}) as worker:
        OutboxMessage.objects.update(available_at=OutboxMessage.objects.get().created_at)
        assert relay_outbox() == 1
        assert wait_for(lambda: len(sent_mails(mail_dir)) == 1, proc=worker), worker.log()
        assert relay_outbox() == 0
        time.sleep(1)

    assert len(sent_mails(mail_dir)) == 1
