"""The deadline scan claims each reminder once (set-based, ON CONFLICT DO NOTHING), the sender turns
it into the assignee's and the leader's notifications, a late dossier gets an apology drafted for the
leader, and the leader's approval tells the applicant."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from dossiers import reminders, services
from dossiers.exceptions import DossierError, PermissionDenied
from dossiers.models import Apology, Dossier, DossierStep
from portal.core.models import OutboxMessage
from portal.notifications.models import Notification, Reminder

from .conftest import VN

pytestmark = pytest.mark.django_db


def _due(
    dossier: Dossier, *, step: timedelta | None = None, dossier_due: timedelta | None = None
) -> Dossier:
    now = timezone.now()
    if step is not None:
        DossierStep.objects.filter(pk=dossier.current_step_id).update(due_at=now + step)
    if dossier_due is not None:
        Dossier.objects.filter(pk=dossier.pk).update(due_at=now + dossier_due)
    return Dossier.objects.get(pk=dossier.pk)


def test_due_soon_is_claimed_once_for_the_assignee(world, working_morning):
    dossier = _due(world.examining(), step=timedelta(hours=2), dossier_due=timedelta(days=5))
    first = reminders.scan_deadlines()
    again = reminders.scan_deadlines()

    assert first["due_soon"] == 1 and first["overdue"] == 0 and first["apology_draft"] == 0
    assert sum(again.values()) == 0
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.dossier_id, reminder.step_id, reminder.recipient) == (
        "due_soon",
        dossier.pk,
        dossier.current_step_id,
        world.specialist,
    )
    assert OutboxMessage.objects.filter(task_name=reminders.SEND_TASK).count() == 1

    assert reminders.send_pending() == 1
    note = Notification.objects.get(event="due_soon")
    assert (
        note.recipient == world.specialist
        and note.state == "sent"
        and note.dossier_id == dossier.pk
    )
    assert dossier.code in note.subject and "sắp đến hạn" in note.subject
    assert reminders.send_pending() == 0
    assert reminders.scan_deadlines()["due_soon"] == 0


def test_threshold_counts_working_hours_across_the_weekend(world):
    # Friday 12 June 2026 16:00: one working day ahead is Monday 16:00, not Saturday.
    with time_machine.travel(datetime(2026, 6, 12, 16, 0, tzinfo=VN), tick=False):
        dossier = world.examining()
        monday = datetime(2026, 6, 15, 15, 0, tzinfo=VN)
        tuesday = datetime(2026, 6, 16, 10, 0, tzinfo=VN)
        DossierStep.objects.filter(pk=dossier.current_step_id).update(due_at=tuesday)
        assert reminders.scan_deadlines()["due_soon"] == 0
        DossierStep.objects.filter(pk=dossier.current_step_id).update(due_at=monday)
        assert reminders.scan_deadlines()["due_soon"] == 1


def test_overdue_goes_to_the_assignee_and_the_units_leader(world, working_morning):
    dossier = _due(world.examining(), step=timedelta(hours=-1), dossier_due=timedelta(days=3))
    counts = reminders.scan_deadlines()
    assert counts["overdue"] == 1 and counts["overdue_leader"] == 1
    assert set(Reminder.objects.values_list("recipient", flat=True)) == {
        world.specialist.pk,
        world.leader.pk,
    }
    assert world.other_leader.pk not in Reminder.objects.values_list("recipient", flat=True)

    reminders.send_pending()
    to_leader = Notification.objects.get(recipient=world.leader, event="overdue")
    assert world.specialist.full_name in to_leader.body and dossier.code in to_leader.subject
    assert (
        Notification.objects.filter(
            recipient=world.specialist, event="overdue", state="sent"
        ).count()
        == 1
    )
    assert sum(reminders.scan_deadlines().values()) == 0


def test_paused_and_closed_dossiers_are_not_reminded(world, working_morning):
    waiting = world.examining()
    services.dossier_request_supplement(
        dossier=waiting,
        actor=world.specialist,
        items=[{"document": "Tờ khai", "reason": "mờ"}],
        reason="Bổ sung",
    )
    _due(waiting, step=timedelta(hours=-1), dossier_due=timedelta(hours=-1))
    _due(world.processed(), dossier_due=timedelta(hours=-1))  # finished: never late again
    assert sum(reminders.scan_deadlines().values()) == 0


def test_a_step_finished_before_the_send_is_skipped(world, working_morning):
    dossier = _due(world.examining(), step=timedelta(hours=1), dossier_due=timedelta(days=5))
    reminders.scan_deadlines()
    services.dossier_forward_for_approval(
        dossier=dossier, actor=world.specialist, leader=world.leader
    )
    reminders.send_pending()
    assert Reminder.objects.get().state == "skipped"
    assert not Notification.objects.filter(event="due_soon").exists()


def test_late_dossier_gets_an_apology_draft_that_the_leader_approves(world, working_morning):
    dossier = _due(world.examining(), step=timedelta(days=2), dossier_due=timedelta(minutes=-5))
    assert reminders.scan_deadlines()["apology_draft"] == 1
    reminders.send_pending()
    reminders.scan_deadlines()
    reminders.send_pending()

    draft = Apology.objects.get(dossier=dossier)
    assert (
        draft.approved_by is None and draft.sent_at is None and draft.created_by == world.specialist
    )
    assert draft.new_due_at > timezone.now()
    assert Notification.objects.filter(recipient=world.leader, event="apology_draft").count() == 1
    assert not OutboxMessage.objects.filter(
        kwargs__event="apology"
    ).exists()  # the applicant hears nothing yet

    with pytest.raises(PermissionDenied):
        services.dossier_approve_apology(apology=draft, actor=world.specialist)
    with pytest.raises(DossierError):
        services.dossier_approve_apology(
            apology=draft, actor=world.leader, new_due_at=timezone.now() - timedelta(days=1)
        )

    new_date = timezone.now() + timedelta(days=7)
    approved = services.dossier_approve_apology(
        apology=draft, actor=world.leader, reason="Xin lỗi vì chậm trễ.", new_due_at=new_date
    )
    assert (
        approved.approved_by == world.leader
        and approved.sent_at is not None
        and approved.reason == "Xin lỗi vì chậm trễ."
    )
    dossier.refresh_from_db()
    assert dossier.rescheduled_due_at == new_date
    assert dossier.events.filter(action="apologise").exists()
    assert OutboxMessage.objects.filter(kwargs__event="apology", kwargs__user_id=None).count() == 1
    with pytest.raises(DossierError):
        services.dossier_approve_apology(apology=approved, actor=world.leader)


def test_apology_is_drafted_on_the_working_day_before_the_due_date_not_after_it(
    world, working_morning
):
    """Form 04 of Circular 03/2025/TT-VPCP: the apology and extension request goes out before the
    time limit runs out, at the latest the working day before the due date (Decree 61/2018
    Art. 19(1)(c), carried into Decree 118/2025; docs/regulations.md). Today is Tuesday 9 June 2026."""
    thursday = datetime(2026, 6, 11, 16, 0, tzinfo=VN)
    wednesday = datetime(2026, 6, 10, 16, 0, tzinfo=VN)
    later = world.examining()
    Dossier.objects.filter(pk=later.pk).update(due_at=thursday)
    soon = world.examining()
    Dossier.objects.filter(pk=soon.pk).update(
        due_at=wednesday
    )  # tomorrow: today is the last day to send it
    assert reminders.scan_deadlines()["apology_draft"] == 1
    reminders.send_pending()
    assert (
        Apology.objects.filter(dossier=soon).count() == 1
        and not Apology.objects.filter(dossier=later).exists()
    )
    draft = Apology.objects.get(dossier=soon)
    assert draft.new_due_at > wednesday  # the proposed date extends the original one
    working_morning.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=VN))  # Wednesday: Thursday's turn
    assert reminders.scan_deadlines()["apology_draft"] == 1
    reminders.send_pending()
    assert (
        Apology.objects.filter(dossier=later).count() == 1
        and Apology.objects.filter(dossier=soon).count() == 1
    )


def test_daily_digest_once_per_leader_and_day(world, working_morning):
    _due(world.examining(), step=timedelta(hours=-2), dossier_due=timedelta(hours=-1))
    _due(world.examining(), step=timedelta(hours=3), dossier_due=timedelta(hours=4))
    assert reminders.daily_digest() == 2  # world.leader and world.other_leader
    assert reminders.daily_digest() == 0
    reminders.send_pending()

    digest = Notification.objects.get(event="digest")
    assert digest.recipient == world.leader
    assert "Hồ sơ quá hạn: 1" in digest.body and "1" in digest.body
    assert (
        Reminder.objects.get(kind="digest", recipient=world.other_leader).state == "skipped"
    )  # nothing due in his unit
