"""The staff dossier page lists the notifications; the leader's queue approves drafted apologies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers import reminders
from dossiers.models import Apology, Dossier, DossierStep
from portal.core.models import OutboxMessage
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _late_with_draft(world):
    dossier = world.examining()
    now = timezone.now()
    DossierStep.objects.filter(pk=dossier.current_step_id).update(due_at=now - timedelta(hours=2))
    Dossier.objects.filter(pk=dossier.pk).update(due_at=now - timedelta(minutes=5))
    reminders.scan_deadlines()
    reminders.send_pending()
    return dossier, Apology.objects.get(dossier=dossier)


def test_staff_see_the_notification_history_applicants_do_not(client, world, working_morning):
    dossier, _draft = _late_with_draft(world)
    Notification.objects.filter(recipient=world.leader, event="overdue").update(
        state="failed", attempts=5
    )

    client.force_login(world.specialist)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="notification-history"' in page
    assert "Nhắc hạn: quá hạn" in page and world.leader.email in page and "lỗi" in page.lower()
    assert "Đã soạn văn bản xin lỗi chờ duyệt" in page

    client.force_login(world.citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="notification-history"' not in page


def test_leader_approves_a_drafted_apology_from_his_queue(client, world, working_morning):
    dossier, draft = _late_with_draft(world)
    client.force_login(world.leader)
    queue = client.get(reverse("dossiers:approval_queue")).content.decode()
    assert 'id="apology-drafts"' in queue

    page = client.get(reverse("notifications:apology_queue"))
    assert page.status_code == 200 and dossier.code in page.content.decode()

    prefix = f"apology-{draft.pk}"
    bad = client.post(
        reverse("notifications:apology_approve", args=[draft.pk]),
        {f"{prefix}-reason": "Chậm", f"{prefix}-new_due_at": "2020-01-01T08:00"},
    )
    assert bad.status_code == 400 and "Ngày hẹn mới phải ở tương lai" in bad.content.decode()
    assert Apology.objects.get(pk=draft.pk).sent_at is None

    new_due = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(
        reverse("notifications:apology_approve", args=[draft.pk]),
        {f"{prefix}-reason": "Xin lỗi ông/bà vì chậm trễ.", f"{prefix}-new_due_at": new_due},
    )
    assert ok.status_code == 302
    approved = Apology.objects.get(pk=draft.pk)
    assert (
        approved.approved_by == world.leader
        and approved.sent_at
        and approved.reason == "Xin lỗi ông/bà vì chậm trễ."
    )
    assert (
        OutboxMessage.objects.filter(kwargs__event="apology", kwargs__dossier_id=dossier.pk).count()
        == 1
    )
    assert (
        client.post(reverse("notifications:apology_approve", args=[draft.pk]), {}).status_code
        == 404
    )  # no longer a draft
    assert (
        'id="no-apologies"' in client.get(reverse("notifications:apology_queue")).content.decode()
    )


@pytest.mark.parametrize(
    "who,expected",
    [("specialist", 403), ("citizen", 403), ("other_leader", 404), ("anonymous", 302)],
)
def test_apology_queue_access(client, world, working_morning, who, expected):
    _dossier, draft = _late_with_draft(world)
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.post(reverse("notifications:apology_approve", args=[draft.pk]), {})
    assert response.status_code == expected
    if who in ("specialist", "citizen"):
        assert client.get(reverse("notifications:apology_queue")).status_code == 403
    assert Apology.objects.get(pk=draft.pk).sent_at is None


def test_applicant_sets_notification_preferences_on_the_profile_page(client, world):
    client.force_login(world.citizen)
    url = reverse("accounts:profile")
    assert client.get(url).status_code == 200
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update({"notify_email": "", "notify_sms": "on", "language": "en"})
    response = client.post(url, data)
    assert response.status_code in (200, 302), response.content[:500]
    world.citizen.refresh_from_db()
    assert (world.citizen.notify_email, world.citizen.notify_sms, world.citizen.language) == (
        False,
        True,
        "en",
    )
