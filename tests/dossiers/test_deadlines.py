"""Deadlines as a dossier lives them: the appointment date, the cut-off, supplement pauses,
and early / on time / late for each step and the whole dossier."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from dossiers import services
from dossiers.constants import DossierStatus
from tests.dossiers.conftest import VN, fill_supplement_slots
from tests.factories.dossiers import ProcedureFactory

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


def test_appointment_is_working_days_after_reception(world):
    with time_machine.travel(at(2026, 6, 9, 9, 0), tick=False):  # Tuesday
        dossier = world.received()
    due = timezone.localtime(dossier.due_at)
    assert due.date() >= date(2026, 6, 16)  # 5 working days: not before the next Tuesday
    assert due.weekday() < 5
    steps = list(dossier.steps.order_by("order"))
    assert [s.due_at for s in steps] == sorted(s.due_at for s in steps)
    assert steps[-1].due_at == dossier.due_at


def test_reception_after_the_cut_off_counts_from_the_next_working_day(world):
    procedure = ProcedureFactory(agency=world.agency, publish=False, cutoff_time=time(15, 0))
    from procedures.services import procedure_publish

    procedure_publish(procedure=procedure)
    with time_machine.travel(at(2026, 6, 12, 16, 0), tick=False):  # Friday, after 15:00
        draft = services.dossier_save_draft(
            actor=world.citizen, procedure=procedure, agency=world.agency
        )
        from tests.dossiers.conftest import pdf

        services.dossier_add_file(
            dossier=draft,
            actor=world.citizen,
            uploaded_file=pdf(),
            document_id=draft.procedure_version.snapshot["documents"][0]["id"],
        )
        services.dossier_submit(dossier=draft, actor=world.citizen)
        dossier = services.dossier_receive(dossier=draft, actor=world.clerk)
    assert timezone.localtime(dossier.counting_start).date() == date(2026, 6, 15)  # Monday


def test_supplement_wait_does_not_count(world):
    from portal.workcalendar.services import extend_for_pause

    with time_machine.travel(at(2026, 6, 9, 9, 0), tick=False) as clock:
        dossier = world.examining()
        due_before = dossier.due_at
        clock.move_to(at(2026, 6, 10, 9, 0))  # Wednesday
        services.dossier_request_supplement(
            dossier=dossier,
            actor=world.specialist,
            items=[{"document": "Sơ đồ", "reason": "thiếu"}],
            reason="Thiếu sơ đồ",
        )
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED and dossier.paused_at
        clock.move_to(at(2026, 6, 15, 9, 0))  # the following Monday
        fill_supplement_slots(dossier, world.citizen)
        dossier = services.dossier_answer_supplement(
            dossier=dossier, actor=world.citizen, comment="Đã nộp"
        )
    assert dossier.status == DossierStatus.IN_PROGRESS and dossier.assigned_to == world.specialist
    assert dossier.due_at == extend_for_pause(
        due_before, at(2026, 6, 10, 9, 0), at(2026, 6, 15, 9, 0)
    )
    assert dossier.due_at > due_before
    assert dossier.paused_seconds == 5 * 24 * 3600
    assert dossier.supplement_cycles == 1


def test_late_dossier_and_its_steps_are_late(world):
    with time_machine.travel(at(2026, 6, 9, 9, 0), tick=False) as clock:
        dossier = world.awaiting_approval()
        clock.move_to(dossier.due_at + timedelta(days=2))
        services.dossier_record_apology(
            dossier=dossier,
            actor=world.leader,
            reason="Cần xác minh thêm",
            new_due_at=timezone.now() + timedelta(days=3),
        )
        dossier = services.dossier_approve(dossier=dossier, actor=world.leader)
    assert dossier.timeliness == "late"
    approval = dossier.steps.get(order=3)
    assert approval.timeliness == "late"
    assert dossier.events.get(action="approve").step_timeliness == "late"


def test_quick_dossier_is_early(world):
    with time_machine.travel(at(2026, 6, 9, 9, 0), tick=False):
        dossier = world.processed()
    assert dossier.timeliness == "early"
    assert "late" not in set(
        dossier.steps.exclude(finished_at=None).values_list("timeliness", flat=True)
    )
