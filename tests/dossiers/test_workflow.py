"""Every transition: the happy path, and refusals (wrong status, wrong role, another agency)
that change nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from dossiers import services
from dossiers.constants import Action, DossierStatus, Stage
from dossiers.exceptions import DossierError, PermissionDenied, TransitionNotAllowed
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import allowed_actions
from tests.dossiers.conftest import pdf

pytestmark = pytest.mark.django_db


def snapshot(dossier: Dossier) -> tuple:
    d = Dossier.objects.get(pk=dossier.pk)
    return (
        d.status,
        d.stage,
        d.code,
        d.assigned_to_id,
        d.handling_department_id,
        d.due_at,
        DossierEvent.objects.filter(dossier=d).count(),
    )


def test_whole_journey_records_every_hand_over(world, working_morning):
    dossier = world.submitted()
    # the code is issued at submission (issue 14, as the national portal does) and kept at reception
    code = dossier.code
    assert (dossier.status, dossier.stage) == (DossierStatus.NEW, Stage.INTAKE)
    assert code.startswith(f"{world.agency.dossier_code_prefix}-") and code.endswith("-0000001")
    assert allowed_actions(dossier, world.clerk) == [
        Action.RECEIVE,
        Action.REQUEST_SUPPLEMENT,
        Action.REFUSE,
        Action.WITHDRAW,
    ]
    assert allowed_actions(dossier, world.citizen) == [Action.WITHDRAW]

    dossier = services.dossier_receive(dossier=dossier, actor=world.clerk)
    assert dossier.code == code  # the applicant tracks the same code before and after reception
    assert re.fullmatch(r"G09\.20-20260609-\d{7}", dossier.code)
    assert dossier.status == DossierStatus.RECEIVED and dossier.due_at > dossier.received_at
    assert dossier.steps.count() == 4 and dossier.current_step.order == 1

    dossier = services.dossier_assign(dossier=dossier, actor=world.clerk, department=world.division)
    assert (dossier.status, dossier.stage, dossier.handling_department) == (
        DossierStatus.IN_PROGRESS,
        Stage.ASSIGNMENT,
        world.division,
    )
    dossier = services.dossier_assign(
        dossier=dossier, actor=world.leader, assignee=world.specialist
    )
    assert (dossier.stage, dossier.assigned_to) == (Stage.EXAMINATION, world.specialist)
    dossier = services.dossier_forward_for_approval(
        dossier=dossier, actor=world.specialist, leader=world.leader
    )
    assert (dossier.stage, dossier.assigned_to) == (Stage.APPROVAL, world.leader)
    dossier = services.dossier_approve(dossier=dossier, actor=world.leader, comment="Đồng ý")
    assert (
        dossier.status == DossierStatus.PROCESSED
        and dossier.finished_at
        and dossier.timeliness == "early"
    )
    dossier = services.dossier_return_result(dossier=dossier, actor=world.clerk, delivery="counter")
    assert dossier.status == DossierStatus.RETURNED and dossier.returned_at
    dossier = services.dossier_rate(
        dossier=dossier, actor=world.citizen, rating="satisfied", comment="Nhanh"
    )
    assert dossier.rating == "satisfied"

    events = list(dossier.events.order_by("seq"))
    assert [e.action for e in events] == [
        "submit",
        "receive",
        "assign",
        "assign",
        "forward",
        "approve",
        "return_result",
        "rate",
    ]
    assert [e.to_status for e in events] == [1, 2, 4, 4, 4, 9, 10, 10]
    forward = events[4]
    assert (forward.from_user, forward.to_user, forward.step_timeliness) == (
        world.specialist,
        world.leader,
        "early",
    )
    assert all(s.finished_at and s.timeliness for s in dossier.steps.all())
    # Rating is once only.
    with pytest.raises(TransitionNotAllowed):
        services.dossier_rate(dossier=dossier, actor=world.citizen, rating="acceptable")


def test_notifications_go_through_the_outbox_with_the_history_row(world, working_morning):
    from portal.core.models import OutboxMessage

    dossier = world.received()
    receive = dossier.events.get(action="receive")
    assert OutboxMessage.objects.filter(
        dedupe_key=f"dossier:{dossier.pk}:event:{receive.pk}"
    ).exists()


@pytest.mark.parametrize(
    ("state", "action", "who", "error"),
    [
        ("submitted", "receive", "specialist", PermissionDenied),
        ("submitted", "receive", "other_clerk", PermissionDenied),
        ("submitted", "receive", "citizen", PermissionDenied),
        ("received", "receive", "clerk", TransitionNotAllowed),
        ("submitted", "approve", "leader", TransitionNotAllowed),
        ("examining", "forward", "other_leader", PermissionDenied),
        ("examining", "approve", "leader", TransitionNotAllowed),
        ("awaiting_approval", "approve", "specialist", PermissionDenied),
        ("awaiting_approval", "approve", "other_leader", PermissionDenied),
        ("processed", "return", "leader", PermissionDenied),
        ("examining", "withdraw", "other_citizen", PermissionDenied),
        ("processed", "withdraw", "citizen", TransitionNotAllowed),
        ("returned", "rate", "other_citizen", PermissionDenied),
        ("examining", "stop", "other_leader", PermissionDenied),
        ("examining", "refuse", "clerk", TransitionNotAllowed),
    ],
)
def test_refusals_change_nothing(world, working_morning, state, action, who, error):
    dossier = getattr(world, state)()
    before = snapshot(dossier)
    actor = getattr(world, who)
    call = {
        "receive": lambda: services.dossier_receive(dossier=dossier, actor=actor),
        "approve": lambda: services.dossier_approve(dossier=dossier, actor=actor),
        "forward": lambda: services.dossier_forward_for_approval(dossier=dossier, actor=actor),
        "return": lambda: services.dossier_return_result(dossier=dossier, actor=actor),
        "withdraw": lambda: services.dossier_withdraw(dossier=dossier, actor=actor),
        "rate": lambda: services.dossier_rate(dossier=dossier, actor=actor, rating="satisfied"),
        "stop": lambda: services.dossier_stop(dossier=dossier, actor=actor, reason="x"),
        "refuse": lambda: services.dossier_refuse(dossier=dossier, actor=actor, reason="x"),
    }[action]
    with pytest.raises(error) as info:
        call()
    assert str(info.value) and " / " not in str(info.value)  # one message, in the reader's language
    assert snapshot(dossier) == before


def test_submit_needs_the_required_documents(world):
    dossier = services.dossier_save_draft(
        actor=world.citizen, procedure=world.procedure, agency=world.agency
    )
    with pytest.raises(DossierError, match="Còn thiếu giấy tờ: Tờ khai"):
        services.dossier_submit(dossier=dossier, actor=world.citizen)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DRAFT
    assert not DossierEvent.objects.filter(dossier=dossier).exists()


def test_bad_files_are_refused_with_a_clear_message(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = services.dossier_save_draft(
        actor=world.citizen, procedure=world.procedure, agency=world.agency
    )
    for upload, message in [
        (SimpleUploadedFile("a.pdf", b"", content_type="application/pdf"), "empty"),
        (
            SimpleUploadedFile("a.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf"),
            "Only these types",
        ),
    ]:
        with translation.override("en"), pytest.raises(DossierError, match=message):
            services.dossier_add_file(dossier=dossier, actor=world.citizen, uploaded_file=upload)
    assert dossier.files.count() == 0


def test_refuse_needs_a_reason_and_closes(world):
    dossier = world.submitted()
    with pytest.raises(DossierError, match="Lý do là bắt buộc"):
        services.dossier_refuse(dossier=dossier, actor=world.clerk, reason="  ")
    dossier = services.dossier_refuse(
        dossier=dossier, actor=world.clerk, reason="Không thuộc thẩm quyền"
    )
    # the code issued at submission stays: the applicant can still look the refusal up by it
    assert (dossier.status, dossier.stage) == (
        DossierStatus.NOT_RECEIVED,
        Stage.CLOSED,
    ) and dossier.code
    assert dossier.events.last().comment == "Không thuộc thẩm quyền"


def test_supplement_at_intake_then_answer_returns_to_new(world):
    dossier = world.submitted()
    req = services.dossier_request_supplement(
        dossier=dossier,
        actor=world.clerk,
        items=[{"document": "CCCD", "reason": "mờ"}],
        reason="Ảnh không rõ",
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED and dossier.supplement_cycles == 1
    assert allowed_actions(dossier, world.citizen) == [Action.ANSWER_SUPPLEMENT, Action.WITHDRAW]
    services.dossier_add_file(
        dossier=dossier, actor=world.citizen, uploaded_file=pdf("cccd.pdf"), supplement_item=0
    )
    dossier = services.dossier_answer_supplement(
        dossier=dossier, actor=world.citizen, comment="Đã bổ sung"
    )
    assert (dossier.status, dossier.stage) == (DossierStatus.NEW, Stage.INTAKE)
    req.refresh_from_db()
    assert req.answered_at and req.answer_comment == "Đã bổ sung"
    assert dossier.files.filter(is_supplement=True).count() == 1


def test_counter_intake_by_clerk(world):
    dossier = services.dossier_create_at_counter(
        actor=world.clerk,
        procedure=world.procedure,
        channel=3,
        applicant={
            "name": "Lò Thị Mai",
            "citizen_id": "011199001111",
            "phone": "0987000111",
            "address": "Mường Phăng",
        },
    )
    assert (dossier.status, dossier.channel, dossier.applicant) == (DossierStatus.NEW, 3, None)
    scan = services.dossier_add_file(
        dossier=dossier, actor=world.clerk, uploaded_file=pdf(), is_digitised=True
    )
    assert scan.is_digitised
    with pytest.raises(PermissionDenied):
        services.dossier_create_at_counter(
            actor=world.other_clerk,
            procedure=world.procedure,
            agency=world.agency,
            applicant={"name": "A"},
        )
    with pytest.raises(DossierError, match="12 chữ số"):
        services.dossier_create_at_counter(
            actor=world.clerk,
            procedure=world.procedure,
            applicant={"name": "A", "citizen_id": "12ab"},
        )


def test_withdraw_stop_transfer_and_payment(world, working_morning):
    d1 = services.dossier_withdraw(
        dossier=world.examining(), actor=world.citizen, reason="Không cần nữa"
    )
    assert (d1.status, d1.assigned_to) == (DossierStatus.WITHDRAWN, None)
    with pytest.raises(DossierError):
        services.dossier_stop(dossier=world.examining(), actor=world.leader, reason="")
    d2 = services.dossier_stop(dossier=world.examining(), actor=world.leader, reason="Vi phạm")
    assert d2.status == DossierStatus.STOPPED

    d3 = services.dossier_transfer(
        dossier=world.examining(),
        actor=world.leader,
        to_agency=world.other_agency,
        to_user=world.other_leader,
    )
    assert (d3.handling_department, d3.assigned_to, d3.stage) == (
        world.other_agency,
        world.other_leader,
        Stage.EXAMINATION,
    )
    transfer = d3.events.last()
    assert (transfer.from_agency, transfer.to_agency, transfer.to_user) == (
        world.division,
        world.other_agency,
        world.other_leader,
    )
    # The receiving agency's leader no longer acts; the other agency's specialist does.
    d3 = services.dossier_forward_for_approval(dossier=d3, actor=world.other_leader)
    assert d3.stage == Stage.APPROVAL

    d4 = services.dossier_request_payment(
        dossier=world.examining(), actor=world.specialist, amount=50000
    )
    assert (d4.status, d4.fee_total) == (DossierStatus.FINANCIAL_OBLIGATION, 50000)
    with pytest.raises(DossierError, match="Số tiền không khớp"):
        services.dossier_confirm_payment(dossier=d4, actor=world.clerk, amount=1)
    d4 = services.dossier_confirm_payment(
        dossier=d4, actor=world.clerk, reference="BL-1", amount=50000
    )
    assert (d4.status, d4.stage) == (DossierStatus.IN_PROGRESS, Stage.EXAMINATION) and d4.paid_at


def test_send_back_returns_to_the_specialist(world):
    dossier = services.dossier_send_back(
        dossier=world.awaiting_approval(), actor=world.leader, reason="Thiếu căn cứ"
    )
    assert (dossier.stage, dossier.assigned_to) == (Stage.EXAMINATION, world.specialist)


def test_apology_and_extension_before_the_due_date_once(world, working_morning):
    """Form 04 of Circular 03/2025/TT-VPCP is sent when lateness is foreseen, before the due date,
    and the time limit is extended once (Decree 61/2018 Art. 19(1)(c), carried into Decree 118/2025)."""
    dossier = world.examining()
    with pytest.raises(DossierError):  # the new date must come after the original one
        services.dossier_record_apology(
            dossier=dossier,
            actor=world.leader,
            reason="Quá tải",
            new_due_at=dossier.due_at - timedelta(hours=1),
        )
    apology = services.dossier_record_apology(
        dossier=dossier,
        actor=world.leader,
        reason="Quá tải",
        new_due_at=dossier.due_at + timedelta(days=3),
    )
    dossier.refresh_from_db()
    assert timezone.now() < dossier.due_at  # before the deadline, not after it
    assert apology.approved_by == world.leader and dossier.rescheduled_due_at == apology.new_due_at
    assert dossier.events.last().action == "apologise"
    with pytest.raises(TransitionNotAllowed):  # a second extension
        services.dossier_record_apology(
            dossier=dossier,
            actor=world.leader,
            reason="Vẫn quá tải",
            new_due_at=dossier.due_at + timedelta(days=6),
        )
    assert dossier.apologies.count() == 1


def test_applicant_deletes_only_his_own_draft(world, django_capture_on_commit_callbacks):
    draft = world.draft()
    stored = draft.files.get().file.name
    with pytest.raises(PermissionDenied):
        services.dossier_delete_draft(dossier=draft, actor=world.other_citizen)
    submitted = world.submitted()
    with pytest.raises(TransitionNotAllowed):
        services.dossier_delete_draft(dossier=submitted, actor=world.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_delete_draft(dossier=draft, actor=world.citizen)
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists(stored)
    assert Dossier.objects.filter(pk=submitted.pk).exists()
