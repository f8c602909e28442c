"""Supplements and the online rule (Decree 118/2025/NĐ-CP; dossiers/deadlines.py, docs/regulations.md):
the applicant is guided once and fully, so a second supplement request needs a reason and is
flagged; "submitted online outside working hours counts from the next working day" is about the
submission time, not the moment the clerk receives the dossier."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from dossiers import services
from dossiers.deadlines import SUPPLEMENT_RULE
from dossiers.exceptions import DossierError
from tests.dossiers.conftest import fill_supplement_slots

from .conftest import VN

pytestmark = pytest.mark.django_db


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN)


def test_a_second_supplement_request_needs_a_reason_and_is_flagged(world, working_morning):
    dossier = world.examining()
    first = services.dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        reason="Thiếu bản sao",
        items=[{"document": "Bản sao CCCD"}],
    )
    assert not first.flagged and first.repeat_reason == ""
    fill_supplement_slots(dossier, world.citizen)
    dossier = services.dossier_answer_supplement(
        dossier=dossier, actor=world.citizen, comment="Đã nộp"
    )
    with pytest.raises(DossierError):  # guided once and fully: a further request must say why
        services.dossier_request_supplement(
            dossier=dossier,
            actor=world.specialist,
            reason="Thiếu xác nhận",
            items=[{"document": "Giấy xác nhận"}],
        )
    second = services.dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        reason="Thiếu xác nhận",
        items=[{"document": "Giấy xác nhận"}],
        repeat_reason="Bản sao đã nộp hết hạn trong thời gian giải quyết",
    )
    assert second.flagged and second.repeat_reason.startswith("Bản sao đã nộp")
    dossier.refresh_from_db()
    assert dossier.supplement_cycles == 2
    assert SUPPLEMENT_RULE == "pause"  # the rule applied, documented with its source gap


def test_online_submission_outside_hours_counts_from_the_next_working_day_whenever_received(world):
    with time_machine.travel(
        at(2026, 6, 12, 20, 0), tick=False
    ) as clock:  # Friday 20:00, outside hours
        submitted = world.submitted()
        clock.move_to(at(2026, 6, 15, 10, 30))  # the clerk opens it on Monday 10:30
        received = services.dossier_receive(dossier=submitted, actor=world.clerk)
    assert received.counting_start == at(2026, 6, 15, 7, 0)  # Monday's first session, not 10:30


def test_online_submission_in_working_hours_counts_from_the_submission(world):
    with time_machine.travel(
        at(2026, 6, 12, 10, 0), tick=False
    ) as clock:  # Friday 10:00, working hours
        submitted = world.submitted()
        clock.move_to(at(2026, 6, 15, 9, 0))
        received = services.dossier_receive(dossier=submitted, actor=world.clerk)
    assert received.counting_start == at(2026, 6, 12, 10, 0)


def test_the_staff_page_shows_the_flag_the_original_date_and_the_registered_delivery(
    client, world, working_morning
):
    from datetime import timedelta

    from django.urls import reverse

    dossier = world.examining()
    services.dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        reason="Thiếu bản sao",
        items=[{"document": "Bản sao CCCD"}],
    )
    fill_supplement_slots(dossier, world.citizen)
    dossier = services.dossier_answer_supplement(
        dossier=dossier, actor=world.citizen, comment="Đã nộp"
    )
    services.dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        reason="Thiếu xác nhận",
        items=[{"document": "Giấy xác nhận"}],
        repeat_reason="Bản sao hết hạn",
    )
    fill_supplement_slots(dossier, world.citizen)
    dossier = services.dossier_answer_supplement(
        dossier=dossier, actor=world.citizen, comment="Đã nộp"
    )
    dossier.refresh_from_db()
    original = dossier.due_at
    services.dossier_record_apology(
        dossier=dossier,
        actor=world.leader,
        reason="Cần xác minh",
        new_due_at=original + timedelta(days=3),
    )
    client.force_login(world.specialist)
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert html.count("supplement-flagged") == 1 and "Bản sao hết hạn" in html
    due = html[html.index('id="dossier-due"') :][:400]
    local = original.astimezone(VN)
    assert (
        f"{local:%H:%M %d/%m/%Y}" in due and "gia hạn đến" in due
    )  # the original kept, the extension beside it
    assert (
        'id="dossier-delivery">Tại quầy<' in html
    )  # registered at submission: the default, the counter
