"""A failed send is retried with exponential back-off, then marked failed for the administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.notifications import services
from portal.notifications.models import Notification, NotificationChannel

pytestmark = pytest.mark.django_db


def test_failed_send_backs_off_then_fails_visibly(settings):
    settings.EMAIL_BACKEND = "tests.reminders.failing_backend.RefusingBackend"
    start = timezone.now()
    row = Notification.objects.create(
        address="a@example.vn",
        channel=NotificationChannel.EMAIL,
        event="received",
        subject="S",
        body="B",
        event_key="backoff:1",
        created_at=start - timedelta(hours=1),
    )
    assert services.deliver(notification_id=row.pk) is False
    row.refresh_from_db()
    assert row.state == "queued" and row.attempts == 1 and "SMTPServerDisconnected" in row.error
    assert row.next_attempt_at - start >= timedelta(seconds=59)

    assert services.requeue_stuck(older_than=timedelta(0)) == 0  # still backing off: not even tried
    assert Notification.objects.get(pk=row.pk).attempts == 1

    delays = []
    for _ in range(4):
        row.refresh_from_db()
        delays.append(row.next_attempt_at)
        with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
            services.requeue_stuck(older_than=timedelta(0))
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == services.MAX_ATTEMPTS
    gaps = [b - a for a, b in zip(delays, delays[1:], strict=False)]
    assert all(
        later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False)
    )  # growing gaps

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.retry(ids=[row.pk]) == 1  # the admin action
    assert services.deliver(notification_id=row.pk) is True
