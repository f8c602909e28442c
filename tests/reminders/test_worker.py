"""Reminders through real Celery workers with their embedded beats, the real Redis and PostgreSQL.

Two beats scan every second and a worker is SIGKILLed in the middle of a (slow) send: every
reminder still reaches its recipient exactly once. Mails go to a file backend in a temp folder.
"""

from __future__ import annotations

import collections
import email
import email.policy
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.models import Dossier, DossierStep
from portal.notifications.models import Notification, Reminder
from tests.celery_support import celery_worker, purge_queue, wait_for
from tests.notifications.test_worker import sent_mails

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DOSSIERS = 6


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    purge_queue()
    yield folder
    purge_queue()


def _recipients_and_subjects(folder) -> list[tuple[str, str]]:
    found = []
    for chunk in sent_mails(folder):
        mail = email.message_from_string(chunk.strip(), policy=email.policy.default)
        found.append((str(mail["To"]), str(mail["Subject"])))
    return found


def test_two_beats_and_a_killed_worker_send_each_reminder_once(world, mail_dir):
    now = timezone.now()
    dossiers = [world.examining() for _ in range(DOSSIERS)]
    ids = [d.pk for d in dossiers]
    DossierStep.objects.filter(pk__in=[d.current_step_id for d in dossiers]).update(
        due_at=now - timedelta(hours=1)
    )
    # Far from the dossier's own due date: the scan drafts form 04 from the working day before it
    # (TT 03/2025 mẫu 04), which "now + 3 days" reaches on a Friday; this test counts step reminders.
    Dossier.objects.filter(pk__in=ids).update(due_at=now + timedelta(days=30))
    expected = 2 * DOSSIERS  # the specialist and the division's leader, for each overdue step
    purge_queue()  # the set-up's own events (submitted, received, assigned) are not what this test counts

    base = {
        "EMAIL_FILE_PATH": str(mail_dir),
        "REMINDER_SCAN_INTERVAL": "1",
        "NOTIFICATION_SWEEP_INTERVAL": "2",
        "NOTIFICATION_CLAIM_TIMEOUT": "2",
    }
    slow = {
        **base,
        "EMAIL_BACKEND": "tests.notifications.slow_backend.SlowFileBackend",
        "SLOW_MAIL_SECONDS": "30",
    }
    with celery_worker(env=slow, beat=True, concurrency=1) as doomed:
        assert wait_for(
            lambda: Notification.objects.filter(state="sending").exists(), timeout=60, proc=doomed
        ), doomed.log()
        doomed.kill()  # SIGKILL mid-send: the mail is not written, the row stays "sending"
    assert sent_mails(mail_dir) == []
    # the batch was claimed (sending) and its first mail was in flight: none of them went out
    assert Notification.objects.filter(state="sending").count() >= 1
    assert not Notification.objects.filter(state="sent").exists()

    with celery_worker(env=base, beat=True) as first, celery_worker(env=base, beat=True) as second:
        assert wait_for(
            lambda: Notification.objects.filter(state="sent").count() >= expected,
            timeout=90,
            proc=first,
        ), first.log()
        time.sleep(4)  # several more scans and sweeps by both beats: a wrong second send would show
        assert second.proc.poll() is None

    mails = _recipients_and_subjects(mail_dir)
    assert len(mails) == expected, collections.Counter(mails)
    assert len(set(mails)) == expected
    assert {to for to, _ in mails} == {world.specialist.email, world.leader.email}
    assert all(subject.endswith("đã quá hạn") for _, subject in mails), mails
    assert Reminder.objects.filter(kind="overdue").count() == expected
    assert set(Reminder.objects.values_list("state", flat=True)) == {"done"}
    assert Notification.objects.filter(state="sent").count() == expected
