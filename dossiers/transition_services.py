"""The transition services of a dossier after submission: each is a thin call to
:func:`dossiers.workflow.run` (the engine locks the row, checks the state and the actor against
the table, runs the effect, writes the history, enqueues the notification and requests the printed
form, all in one transaction). Deadlines follow Decree 118/2025. Split from
:mod:`dossiers.services` (issue 16), which re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from portal.agencies.models import Agency

from . import deadlines, workflow
from .constants import Action, DossierStatus
from .effects import lock
from .models import Apology, Dossier, SupplementRequest

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


# --- intake -----------------------------------------------------------------------------------


def dossier_receive(*, dossier: Dossier, actor: Actor, comment: str = "") -> Dossier:
    """Receive a complete dossier (status 2): issue the code, compute the counting start (next
    working day after the cut-off or outside working hours), the appointment date and each
    step's due time. Form 01 (receipt and appointment slip) is printed from these fields."""
    return cast(
        "Dossier", workflow.run(Action.RECEIVE, dossier=dossier, actor=actor, comment=comment)
    )


def dossier_request_supplement(
    *,
    dossier: Dossier,
    actor: Actor,
    items: list[dict[str, Any]],
    reason: str,
    repeat_reason: str = "",
) -> SupplementRequest:
    """Ask for supplements (status 5, form 02). During processing the clock pauses until the
    applicant answers. Every request counts in ``supplement_cycles`` (Decision 766: more than
    one request counts the dossier as late), answered or not; a further request needs its
    ``repeat_reason`` and is flagged (``dossiers.deadlines.check_repeat_supplement``)."""
    return cast(
        "SupplementRequest",
        workflow.run(
            Action.REQUEST_SUPPLEMENT,
            dossier=dossier,
            actor=actor,
            items=items,
            reason=reason,
            repeat_reason=repeat_reason,
        ),
    )


def dossier_answer_supplement(*, dossier: Dossier, actor: Actor, comment: str = "") -> Dossier:
    """The applicant (online) or the clerk (at the counter) hands in the supplements: back to
    status 1 at intake, or to where processing stood, with the appointment date moved by the
    working time waited."""
    return cast(
        "Dossier",
        workflow.run(Action.ANSWER_SUPPLEMENT, dossier=dossier, actor=actor, comment=comment),
    )


def dossier_refuse(*, dossier: Dossier, actor: Actor, reason: str) -> Dossier:
    """Refuse to receive (status 3, form 03), with the reason."""
    return cast("Dossier", workflow.run(Action.REFUSE, dossier=dossier, actor=actor, reason=reason))


# --- processing -------------------------------------------------------------------------------


def dossier_assign(
    *,
    dossier: Dossier,
    actor: Actor,
    department: Agency | None = None,
    assignee: Any = None,
    comment: str = "",
) -> Dossier:
    """Hand over for processing (status 4). From reception: the clerk (or leader) hands the
    dossier to a department of the agency, optionally straight to a specialist. In processing:
    the department's leader assigns (or reassigns) a specialist."""
    return cast(
        "Dossier",
        workflow.run(
            Action.ASSIGN,
            dossier=dossier,
            actor=actor,
            department=department,
            assignee=assignee,
            comment=comment,
        ),
    )


@transaction.atomic
def dossiers_bulk_assign(
    *,
    dossiers: Iterable[Dossier],
    actor: Actor,
    department: Agency | None = None,
    assignee: Any = None,
) -> list[Dossier]:
    """Assign several dossiers at once: all or none."""
    return [
        dossier_assign(dossier=d, actor=actor, department=department, assignee=assignee)
        for d in dossiers
    ]


def dossier_forward_for_approval(
    *, dossier: Dossier, actor: Actor, leader: Actor | None = None, comment: str = ""
) -> Dossier:
    """The specialist has examined the dossier and drafted the result: to the leader for approval."""
    return cast(
        "Dossier",
        workflow.run(Action.FORWARD, dossier=dossier, actor=actor, leader=leader, comment=comment),
    )


def dossier_send_back(*, dossier: Dossier, actor: Actor, reason: str) -> Dossier:
    """The leader sends the draft result back to the specialist who forwarded it (internal row)."""
    return cast(
        "Dossier", workflow.run(Action.SEND_BACK, dossier=dossier, actor=actor, reason=reason)
    )


def dossier_approve(
    *, dossier: Dossier, actor: Actor, comment: str = "", result_file: UploadedFile | None = None
) -> Dossier:
    """The leader approves: status 9 (Đã xử lý xong), the result is ready to return. The dossier's
    early/on-time/late is fixed here against its appointment date. Signing and approving in one
    step is :func:`dossier_sign_and_approve`."""
    return cast(
        "Dossier",
        workflow.run(
            Action.APPROVE, dossier=dossier, actor=actor, comment=comment, result_file=result_file
        ),
    )


def dossier_request_payment(
    *, dossier: Dossier, actor: Actor, amount: Decimal | None = None, reason: str = ""
) -> Dossier:
    """Ask the applicant to fulfil a financial obligation (status 6); the clock waits."""
    return cast(
        "Dossier",
        workflow.run(
            Action.REQUEST_PAYMENT, dossier=dossier, actor=actor, amount=amount, reason=reason
        ),
    )


def dossier_confirm_payment(
    *, dossier: Dossier, actor: Actor, reference: str = "", amount: Decimal | None = None
) -> Dossier:
    """The payment arrived (recorded by the clerk, or by the payment gateway's callback on behalf
    of the applicant): processing resumes, the appointment date moves by the time waited."""
    return cast(
        "Dossier",
        workflow.run(
            Action.CONFIRM_PAYMENT, dossier=dossier, actor=actor, reference=reference, amount=amount
        ),
    )


def dossier_transfer(
    *,
    dossier: Dossier,
    actor: Actor,
    to_agency: Agency,
    to_user: Actor | None = None,
    comment: str = "",
) -> Dossier:
    """Hand over to another agency (liên thông), recorded with giver and receiver; the receiving
    agency keeps the dossier's code and returns the result."""
    return cast(
        "Dossier",
        workflow.run(
            Action.TRANSFER,
            dossier=dossier,
            actor=actor,
            to_agency=to_agency,
            to_user=to_user,
            comment=comment,
        ),
    )


# --- return, closing, rating, apology -----------------------------------------------------------


def dossier_return_result(
    *, dossier: Dossier, actor: Actor, delivery: str | None = None, comment: str = ""
) -> Dossier:
    """Hand the result back (status 10): at the counter, by post, or online (the applicant
    downloads the electronic result, which must then exist). Without ``delivery``, the way the
    applicant registered at submission or intake (``dossiers.delivery``)."""
    return cast(
        "Dossier",
        workflow.run(
            Action.RETURN_RESULT, dossier=dossier, actor=actor, delivery=delivery, comment=comment
        ),
    )


def dossier_withdraw(*, dossier: Dossier, actor: Actor, reason: str = "") -> Dossier:
    """Withdrawal at the applicant's request (status 7): online by the applicant, or recorded by
    the clerk when the applicant asks at the counter."""
    return cast(
        "Dossier", workflow.run(Action.WITHDRAW, dossier=dossier, actor=actor, reason=reason)
    )


def dossier_stop(*, dossier: Dossier, actor: Actor, reason: str) -> Dossier:
    """A leader stops processing (status 8, form 05), with the reason."""
    return cast("Dossier", workflow.run(Action.STOP, dossier=dossier, actor=actor, reason=reason))


def dossier_rate(*, dossier: Dossier, actor: Actor, rating: str, comment: str = "") -> Dossier:
    """The applicant rates the service once after the return (satisfied / acceptable / not)."""
    return cast(
        "Dossier",
        workflow.run(Action.RATE, dossier=dossier, actor=actor, rating=rating, comment=comment),
    )


def dossier_record_apology(
    *, dossier: Dossier, actor: Actor, reason: str, new_due_at: datetime
) -> Apology:
    """Form 04: a late dossier's apology with a new appointment date, sent to the applicant. The
    legal appointment date stays (the dossier still counts as late); the new date is kept in
    ``rescheduled_due_at``."""
    return cast(
        "Apology",
        workflow.run(
            Action.APOLOGISE, dossier=dossier, actor=actor, reason=reason, new_due_at=new_due_at
        ),
    )


#: The reason a drafted apology proposes; the leader edits it before approving (form 04).
DRAFT_APOLOGY_REASON = "Hồ sơ chưa được giải quyết xong đúng ngày hẹn trả kết quả. Cơ quan xin lỗi ông/bà và hẹn lại ngày trả kết quả."


@transaction.atomic
def dossier_draft_apology(
    *, dossier: Dossier, new_due_at: datetime, now: datetime | None = None, reason: str = ""
) -> Apology | None:
    """Draft form 04 for a dossier that has just become late, for its leader to approve.

    A draft is an :class:`Apology` with neither ``approved_by`` nor ``sent_at``; the applicant hears
    nothing until :func:`dossier_approve_apology`. Drafted by the deadline scan
    (:mod:`dossiers.reminders`): ``created_by`` is the assignee, else a leader of the
    unit. Returns None when the dossier is no longer late and open, or already has an apology.
    """
    dossier = lock(dossier)
    now = now or timezone.now()
    if dossier.status not in (
        DossierStatus.RECEIVED,
        DossierStatus.IN_PROGRESS,
    ) or not deadlines.apology_draft_due(dossier, now):
        return None
    if dossier.rescheduled_due_at is not None or dossier.apologies.exists():
        return None
    from .selectors import leaders_of

    author = dossier.assigned_to or leaders_of(dossier).first()
    if author is None:
        return None
    return Apology.objects.create(
        dossier=dossier,
        reason=reason or DRAFT_APOLOGY_REASON,
        new_due_at=new_due_at,
        created_by=author,
    )


def dossier_approve_apology(
    *, apology: Apology, actor: Actor, reason: str | None = None, new_due_at: datetime | None = None
) -> Apology:
    """A leader approves (and may edit) a drafted apology: it is sent to the applicant ("late with
    the apology"), and the new appointment date is kept in ``rescheduled_due_at``."""
    return cast(
        "Apology",
        workflow.run(
            Action.APOLOGISE,
            dossier=apology.dossier,
            actor=actor,
            apology=apology,
            reason=reason,
            new_due_at=new_due_at,
        ),
    )
