"""Every write to a dossier. One service per workflow transition, keyword-only, one transaction.

A transition service is a thin call to :func:`dossiers.workflow.run`: the engine locks the
dossier row, checks the state and the actor against the workflow table, runs the row's effect
(:mod:`dossiers.effects`), applies the status, stage and clock the row names, appends the
hash-chained history row, enqueues the notification through the transactional outbox and requests
the printed form — all committed together or not at all. The names stay so that no caller breaks.

Deadlines follow Decree 118/2025: counted in the procedure's unit from the reception (next working
day after the daily cut-off), each step gets its share, and time waiting for the applicant
(supplements, financial obligation) does not count. Early / on time / late is always
:func:`portal.workcalendar.services.timeliness`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.selectors import can_submit_dossiers
from portal.agencies.models import Agency
from portal.core.text import fold, nfc
from portal.core.uploads import validate_upload
from procedures import fees
from procedures.constants import PublicationState
from procedures.models import Procedure
from procedures.selectors import implementing_agencies
from procedures.services import procedure_current_version

from . import deadlines, effects, workflow
from . import delivery as _delivery
from .codes import issue_code
from .constants import Action, Channel, DossierStatus, Stage
from .exceptions import DossierError, PermissionDenied, TransitionNotAllowed
from .history import append_event
from .models import Apology, Dossier, DossierFile, SupplementRequest

NOTIFY_TASK = "portal.notifications.tasks.send_dossier_event"
MAX_COMMENT = 4000


# --- helpers (the clock and deadline ones live in dossiers/effects.py) ----------------------------

_work_calendar = (
    effects.work_calendar
)  # used by the deadline scan (portal/notifications/reminders.py)
_lock = effects.lock
_sniff = effects.sniff
_text = effects.clean_text
_check_form_data = effects.check_form_data


def _procedure_available_at(procedure: Procedure, agency: Agency) -> bool:
    if not Procedure.objects.filter(pk=procedure.pk, state=PublicationState.PUBLISHED).exists():
        return False
    return implementing_agencies(procedure).filter(pk=agency.pk).exists()


def _fee_total(snapshot: dict) -> Decimal:
    """The fee of the standard case with one copy (issue 14: the lines are cases, not a sum)."""
    return fees.fee_quote(snapshot).total


def apply_fee_choice(dossier: Dossier, *, case: Any = None, copies: Any = None) -> None:
    """Store the applicant's fee case and copies and the total computed from them (no save).

    The total is computed here from the version's fee lines (``procedures.fees``), never taken
    from the browser; the clerk's payment request is prefilled with it (dossiers.inputs) and the
    national payment platform's receipt carries the chosen lines."""
    try:
        quote = fees.fee_quote(dossier.procedure_version.snapshot, case=case, copies=copies)
    except fees.FeeChoiceError as exc:
        raise DossierError(exc.message, code="invalid_fee_choice") from None
    dossier.fee_choice = quote.as_json()
    dossier.fee_total = quote.total


# --- drafts, submission, counter intake -------------------------------------------------------


@transaction.atomic
def dossier_save_draft(
    *,
    actor: Any,
    procedure: Procedure | None = None,
    agency: Agency | None = None,
    form_data: dict | None = None,
    dossier: Dossier | None = None,
    applicant: dict | None = None,
    fee_case: Any = None,
    fee_copies: Any = None,
) -> Dossier:
    """Create (``dossier`` None) or update an online draft (channel 2) of a verified applicant.

    ``applicant`` may override the snapshot taken from the profile (name, citizen_id, tax_code,
    phone, email, address); the account itself is never changed. ``fee_case`` (the index of one
    of the version's case lines) and ``fee_copies`` choose the fee (``apply_fee_choice``); left
    None on an update, the earlier choice stays.
    """
    if not can_submit_dossiers(actor):
        raise PermissionDenied(_("A verified applicant account is required."))
    if dossier is None:
        if procedure is None or agency is None:
            raise DossierError(_("Choose a procedure and an agency."))
        if procedure.level not in (3, 4) or not _procedure_available_at(procedure, agency):
            raise DossierError(_("This procedure cannot be submitted online to this agency."))
        version = procedure_current_version(procedure)
        if version is None:
            raise DossierError(_("The procedure is not published."))
        dossier = Dossier(
            procedure=procedure,
            procedure_version=version,
            receiving_agency=agency,
            applicant=actor,
            channel=Channel.ONLINE,
            status=DossierStatus.DRAFT,
            stage=Stage.DRAFT,
            applicant_name=actor.organisation_name or actor.full_name,
            applicant_citizen_id=actor.citizen_id,
            applicant_tax_code=actor.tax_code,
            applicant_phone=actor.phone,
            applicant_email=actor.email,
            applicant_address=actor.address,
            fee_total=_fee_total(version.snapshot),
        )
    else:
        dossier = _lock(dossier)
        if dossier.applicant_id != actor.pk:
            raise PermissionDenied()
        if dossier.status != DossierStatus.DRAFT:
            raise TransitionNotAllowed(
                _("The dossier was submitted; the draft can no longer be edited.")
            )
    if form_data is not None:
        dossier.form_data = effects.check_form_data(
            form_data, dossier.procedure_version.snapshot, complete=False
        )
    _apply_applicant(dossier, applicant)
    if fee_case is not None or fee_copies is not None or not dossier.fee_choice:
        previous = dossier.fee_choice or {}
        apply_fee_choice(
            dossier,
            case=previous.get("case") if fee_case is None else fee_case,
            copies=previous.get("copies") if fee_copies is None else fee_copies,
        )
    dossier.save()
    return dossier


@transaction.atomic
def dossier_delete_draft(*, dossier: Dossier, actor: Any) -> None:
    """The applicant discards his own draft (never submitted: no code, no history) and its files."""
    dossier = _lock(dossier)
    if not workflow.actor_matches(dossier, actor, workflow.APPLICANT, workflow.OWNER):
        raise PermissionDenied()
    if dossier.status != DossierStatus.DRAFT:
        raise TransitionNotAllowed(_("Only a draft that was never submitted can be deleted."))
    names = [f.file.name for f in dossier.files.all() if f.reused_from_id is None and f.file]
    dossier.files.all().delete()
    dossier.delete()
    storage = DossierFile._meta.get_field("file").storage
    transaction.on_commit(
        lambda: [
            storage.delete(n) for n in names if not DossierFile.objects.filter(file=n).exists()
        ]
    )


def _apply_applicant(dossier: Dossier, applicant: dict | None) -> None:
    if not applicant:
        return
    _delivery.register(dossier, applicant)
    fields = {
        "name": 255,
        "citizen_id": 12,
        "tax_code": 14,
        "phone": 20,
        "email": 254,
        "address": 255,
    }
    for key, limit in fields.items():
        if key in applicant:
            value = nfc(
                str(applicant[key] or "")
            ).strip()  # NFC: decomposed marks are not found by search
            if len(value) > limit:
                raise DossierError(_("Applicant field too long: %(field)s.") % {"field": key})
            setattr(dossier, f"applicant_{key}", value)
    if dossier.applicant_citizen_id and not (
        dossier.applicant_citizen_id.isdigit() and len(dossier.applicant_citizen_id) == 12
    ):
        raise DossierError(_("The citizen ID must be 12 digits."))
    if not dossier.applicant_name:
        raise DossierError(_("The applicant's name is required."))


def dossier_submit(*, dossier: Dossier, actor: Any) -> Dossier:
    """Submit an online draft: status 1 (Mới đăng ký). Every required document must be attached
    and the procedure's required fields filled."""
    return workflow.run(Action.SUBMIT, dossier=dossier, actor=actor)


@transaction.atomic
def dossier_create_at_counter(
    *,
    actor: Any,
    procedure: Procedure,
    applicant: dict,
    agency: Agency | None = None,
    channel: int = Channel.IN_PERSON,
    form_data: dict | None = None,
    applicant_user: Any = None,
    comment: str = "",
    papers: dict[int | None, list[UploadedFile]] | None = None,
) -> Dossier:
    """A one-stop clerk records a walk-in (channel 1) or postal (channel 3) dossier: status 1,
    with its code at once (as an online dossier gets it at submission, issue 14).

    ``papers`` is the counter's checklist: the scans of each of the procedure version's documents
    (``{document id: [files]}``, ``None`` for other papers). Every required document needs its
    scan: the clerk checks the dossier's components against the published list and scans them at
    reception (Decree 61/2018 Art. 15 as amended by Decree 107/2021, carried into Decree
    118/2025; its own article was not found, docs/regulations.md). A missing one is refused with
    its name before anything is written. Without ``papers`` (older callers) the scans are attached later
    with ``dossier_add_file``.
    """
    agency = agency or actor.agency
    if agency is None or not workflow.actor_matches(
        Dossier(receiving_agency=agency), actor, Role.CLERK, workflow.RECEIVING
    ):
        raise PermissionDenied(_("Only a one-stop clerk of the agency may record dossiers."))
    if channel not in (Channel.IN_PERSON, Channel.POSTAL):
        raise DossierError(_("Counter channels are in person (1) or postal (3)."))
    if not _procedure_available_at(procedure, agency):
        raise DossierError(_("This agency does not handle the chosen procedure."))
    version = procedure_current_version(procedure)
    if version is None:
        raise DossierError(_("The procedure is not published."))
    if applicant_user is not None and not getattr(applicant_user, "is_applicant", False):
        raise DossierError(_("Invalid applicant account."))
    if papers is not None:
        _check_counter_papers(version.snapshot, papers)
    now = timezone.now()
    dossier = Dossier(
        procedure=procedure,
        procedure_version=version,
        receiving_agency=agency,
        applicant=applicant_user,
        channel=channel,
        status=DossierStatus.NEW,
        stage=Stage.INTAKE,
        submitted_at=now,
        fee_total=_fee_total(version.snapshot),
        form_data=_check_form_data(form_data, version.snapshot, complete=False),
    )
    _apply_applicant(dossier, applicant or {})
    comment = _text(comment)
    dossier.code = issue_code(agency=agency, day=timezone.localdate(now))
    dossier.save()
    append_event(
        dossier,
        action=Action.CREATE_AT_COUNTER,
        actor=actor,
        from_status=None,
        to_agency=agency,
        comment=comment,
        data={"code": dossier.code},
    )
    for document_id, files in (papers or {}).items():
        for scan in files:
            dossier_add_file(
                dossier=dossier,
                actor=actor,
                uploaded_file=scan,
                document_id=document_id,
                is_digitised=True,
            )
    return dossier


def counter_checklist(snapshot: dict) -> list[dict]:
    """The checklist of the counter: the procedure version's documents as published, each with its
    form (original, copy, ...) and number of copies (Decree 118/2025: the clerk checks the
    components of the dossier against the published procedure)."""
    return [
        {
            "id": d["id"],
            "name": d["name"],
            "paper_kind": d.get("paper_kind") or "original",
            "copies": int(d.get("copies") or 1),
            "is_required": bool(d.get("is_required")),
        }
        for d in snapshot.get("documents", [])
    ]


def _check_counter_papers(snapshot: dict, papers: dict) -> None:
    known = {d["id"] for d in counter_checklist(snapshot)}
    if any(key is not None and key not in known for key in papers):
        raise DossierError(_("This document is not part of the procedure."))
    missing = [
        d["name"]
        for d in counter_checklist(snapshot)
        if d["is_required"] and not papers.get(d["id"])
    ]
    if missing:
        raise DossierError(
            _("Required documents missing: %(documents)s.") % {"documents": "; ".join(missing)},
            code="incomplete",
        )


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def may_attach_files(dossier: Dossier, actor: Any) -> bool:
    """Whether ``actor`` may attach files now: the applicant to his draft or when supplements are
    requested; the receiving agency's clerk at intake (status 1) or for supplements (status 5)."""
    owner = workflow.actor_matches(dossier, actor, "applicant", workflow.OWNER)
    clerk = workflow.actor_matches(dossier, actor, Role.CLERK, workflow.RECEIVING)
    if dossier.status == DossierStatus.DRAFT:
        return owner
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        return owner or clerk
    if dossier.status == DossierStatus.NEW:
        return clerk
    return False


@transaction.atomic
def dossier_add_file(
    *,
    dossier: Dossier,
    actor: Any,
    uploaded_file: UploadedFile,
    document_id: int | None = None,
    is_digitised: bool = False,
    supplement_item: int | None = None,
) -> DossierFile:
    """Attach a file for one required document, checked by :func:`portal.core.uploads.validate_upload`
    (PDF, JPEG or PNG by content, size limit, not damaged).

    The applicant attaches to his draft or when supplements are requested; the clerk attaches
    scans at intake (``is_digitised``: digitised at the counter, counted by Decision 766).
    ``supplement_item`` is the position of an item of the open supplement request: the file is
    filed under that item (its slot), until the answer is sent.
    """
    dossier = _lock(dossier)
    if not _may_attach(dossier, actor):
        raise PermissionDenied(_("Files cannot be attached to this dossier now."))
    documents = {
        d["id"]: d["name"] for d in dossier.procedure_version.snapshot.get("documents", [])
    }
    if document_id is not None and document_id not in documents:
        raise DossierError(_("This document is not part of the procedure."))
    item_name = None
    if supplement_item is not None:
        item_name, document_id = supplement_slot(dossier, supplement_item)
    try:
        checked = validate_upload(uploaded_file)
    except ValidationError as exc:
        raise DossierError(" ".join(exc.messages)) from None
    staff = getattr(actor, "is_staff_member", False)
    item = DossierFile(
        dossier=dossier,
        document_id=document_id,
        document_name=item_name or documents.get(document_id, "Giấy tờ khác"),
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        is_digitised=bool(is_digitised and staff),
        is_supplement=dossier.status == DossierStatus.SUPPLEMENT_REQUESTED,
        uploaded_by=actor,
    )
    uploaded_file.seek(0)
    item.file.save(checked.stored_name, uploaded_file, save=False)
    item.save()
    return item


def supplement_slot(dossier: Dossier, index: int) -> tuple[str, int | None]:
    """The item ``index`` of the open supplement request: the name its files are filed under, and
    the procedure document it names (same name, diacritics and case ignored), if any."""
    request = effects.open_supplement_request(dossier)
    items = request.items if request is not None else []
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or not 0 <= index < len(items):
        raise DossierError(_("This item was not requested."), code="not_requested")
    name = str(items[index].get("document", ""))[:500]
    by_name = {
        fold(d["name"]): d["id"] for d in dossier.procedure_version.snapshot.get("documents", [])
    }
    return name, by_name.get(fold(name))


@transaction.atomic
def dossier_reuse_file(
    *, dossier: Dossier, actor: Any, source: DossierFile, document_id: int | None = None
) -> DossierFile:
    """Reuse a file from one of the applicant's earlier dossiers instead of uploading it again."""
    dossier = _lock(dossier)
    if (
        not _may_attach(dossier, actor)
        or source.dossier.applicant_id != actor.pk
        or not getattr(actor, "is_applicant", False)
    ):
        raise PermissionDenied()
    documents = {
        d["id"]: d["name"] for d in dossier.procedure_version.snapshot.get("documents", [])
    }
    if document_id is not None and document_id not in documents:
        raise DossierError(_("This document is not part of the procedure."))
    return DossierFile.objects.create(
        dossier=dossier,
        document_id=document_id,
        document_name=documents.get(document_id, source.document_name),
        file=source.file.name,
        original_name=source.original_name,
        content_type=source.content_type,
        size=source.size,
        sha256=source.sha256,
        uploaded_by=actor,
        reused_from=source.reused_from or source,
        is_supplement=dossier.status == DossierStatus.SUPPLEMENT_REQUESTED,
    )


@transaction.atomic
def dossier_remove_file(*, dossier_file: DossierFile, actor: Any) -> None:
    dossier = _lock(dossier_file.dossier_id)
    if not _may_attach(dossier, actor):
        raise PermissionDenied()
    DossierFile.objects.filter(pk=dossier_file.pk, dossier=dossier).delete()


_may_attach = may_attach_files  # kept for callers written before the public name


# --- intake -----------------------------------------------------------------------------------


def dossier_receive(*, dossier: Dossier, actor: Any, comment: str = "") -> Dossier:
    """Receive a complete dossier (status 2): issue the code, compute the counting start (next
    working day after the cut-off or outside working hours), the appointment date and each
    step's due time. Form 01 (receipt and appointment slip) is printed from these fields."""
    return workflow.run(Action.RECEIVE, dossier=dossier, actor=actor, comment=comment)


def dossier_request_supplement(
    *, dossier: Dossier, actor: Any, items: list[dict], reason: str, repeat_reason: str = ""
) -> SupplementRequest:
    """Ask for supplements (status 5, form 02). During processing the clock pauses until the
    applicant answers. Every request counts in ``supplement_cycles`` (Decision 766: more than
    one request counts the dossier as late), answered or not; a further request needs its
    ``repeat_reason`` and is flagged (``dossiers.deadlines.check_repeat_supplement``)."""
    return workflow.run(
        Action.REQUEST_SUPPLEMENT,
        dossier=dossier,
        actor=actor,
        items=items,
        reason=reason,
        repeat_reason=repeat_reason,
    )


def dossier_answer_supplement(*, dossier: Dossier, actor: Any, comment: str = "") -> Dossier:
    """The applicant (online) or the clerk (at the counter) hands in the supplements: back to
    status 1 at intake, or to where processing stood, with the appointment date moved by the
    working time waited."""
    return workflow.run(Action.ANSWER_SUPPLEMENT, dossier=dossier, actor=actor, comment=comment)


def dossier_refuse(*, dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """Refuse to receive (status 3, form 03), with the reason."""
    return workflow.run(Action.REFUSE, dossier=dossier, actor=actor, reason=reason)


# --- processing -------------------------------------------------------------------------------


def dossier_assign(
    *,
    dossier: Dossier,
    actor: Any,
    department: Agency | None = None,
    assignee: Any = None,
    comment: str = "",
) -> Dossier:
    """Hand over for processing (status 4). From reception: the clerk (or leader) hands the
    dossier to a department of the agency, optionally straight to a specialist. In processing:
    the department's leader assigns (or reassigns) a specialist."""
    return workflow.run(
        Action.ASSIGN,
        dossier=dossier,
        actor=actor,
        department=department,
        assignee=assignee,
        comment=comment,
    )


@transaction.atomic
def dossiers_bulk_assign(
    *,
    dossiers: Iterable[Dossier],
    actor: Any,
    department: Agency | None = None,
    assignee: Any = None,
) -> list[Dossier]:
    """Assign several dossiers at once: all or none."""
    return [
        dossier_assign(dossier=d, actor=actor, department=department, assignee=assignee)
        for d in dossiers
    ]


def dossier_forward_for_approval(
    *, dossier: Dossier, actor: Any, leader: Any = None, comment: str = ""
) -> Dossier:
    """The specialist has examined the dossier and drafted the result: to the leader for approval."""
    return workflow.run(
        Action.FORWARD, dossier=dossier, actor=actor, leader=leader, comment=comment
    )


def dossier_send_back(*, dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """The leader sends the draft result back to the specialist who forwarded it (internal row)."""
    return workflow.run(Action.SEND_BACK, dossier=dossier, actor=actor, reason=reason)


def dossier_approve(
    *, dossier: Dossier, actor: Any, comment: str = "", result_file: UploadedFile | None = None
) -> Dossier:
    """The leader approves: status 9 (Đã xử lý xong), the result is ready to return. The dossier's
    early/on-time/late is fixed here against its appointment date. Signing and approving in one
    step is :func:`dossier_sign_and_approve`."""
    return workflow.run(
        Action.APPROVE, dossier=dossier, actor=actor, comment=comment, result_file=result_file
    )


def dossier_request_payment(
    *, dossier: Dossier, actor: Any, amount: Decimal | None = None, reason: str = ""
) -> Dossier:
    """Ask the applicant to fulfil a financial obligation (status 6); the clock waits."""
    return workflow.run(
        Action.REQUEST_PAYMENT, dossier=dossier, actor=actor, amount=amount, reason=reason
    )


def dossier_confirm_payment(
    *, dossier: Dossier, actor: Any, reference: str = "", amount: Decimal | None = None
) -> Dossier:
    """The payment arrived (recorded by the clerk, or by the payment gateway's callback on behalf
    of the applicant): processing resumes, the appointment date moves by the time waited."""
    return workflow.run(
        Action.CONFIRM_PAYMENT, dossier=dossier, actor=actor, reference=reference, amount=amount
    )


def dossier_transfer(
    *, dossier: Dossier, actor: Any, to_agency: Agency, to_user: Any = None, comment: str = ""
) -> Dossier:
    """Hand over to another agency (liên thông), recorded with giver and receiver; the receiving
    agency keeps the dossier's code and returns the result."""
    return workflow.run(
        Action.TRANSFER,
        dossier=dossier,
        actor=actor,
        to_agency=to_agency,
        to_user=to_user,
        comment=comment,
    )


# --- return, closing, rating, apology -----------------------------------------------------------


def dossier_return_result(
    *, dossier: Dossier, actor: Any, delivery: str | None = None, comment: str = ""
) -> Dossier:
    """Hand the result back (status 10): at the counter, by post, or online (the applicant
    downloads the electronic result, which must then exist). Without ``delivery``, the way the
    applicant registered at submission or intake (``dossiers.delivery``)."""
    return workflow.run(
        Action.RETURN_RESULT, dossier=dossier, actor=actor, delivery=delivery, comment=comment
    )


def dossier_withdraw(*, dossier: Dossier, actor: Any, reason: str = "") -> Dossier:
    """Withdrawal at the applicant's request (status 7): online by the applicant, or recorded by
    the clerk when the applicant asks at the counter."""
    return workflow.run(Action.WITHDRAW, dossier=dossier, actor=actor, reason=reason)


def dossier_stop(*, dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """A leader stops processing (status 8, form 05), with the reason."""
    return workflow.run(Action.STOP, dossier=dossier, actor=actor, reason=reason)


def dossier_rate(*, dossier: Dossier, actor: Any, rating: str, comment: str = "") -> Dossier:
    """The applicant rates the service once after the return (satisfied / acceptable / not)."""
    return workflow.run(Action.RATE, dossier=dossier, actor=actor, rating=rating, comment=comment)


def dossier_record_apology(
    *, dossier: Dossier, actor: Any, reason: str, new_due_at: datetime
) -> Apology:
    """Form 04: a late dossier's apology with a new appointment date, sent to the applicant. The
    legal appointment date stays (the dossier still counts as late); the new date is kept in
    ``rescheduled_due_at``."""
    return workflow.run(
        Action.APOLOGISE, dossier=dossier, actor=actor, reason=reason, new_due_at=new_due_at
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
    dossier = _lock(dossier)
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
    *, apology: Apology, actor: Any, reason: str | None = None, new_due_at: datetime | None = None
) -> Apology:
    """A leader approves (and may edit) a drafted apology: it is sent to the applicant ("late with
    the apology"), and the new appointment date is kept in ``rescheduled_due_at``."""
    return workflow.run(
        Action.APOLOGISE,
        dossier=apology.dossier,
        actor=actor,
        apology=apology,
        reason=reason,
        new_due_at=new_due_at,
    )


# --- signing the result (issue 5): the leader's "Ký số và phê duyệt", the văn thư's issuing ------
# The services live in dossiers/result_signing.py (they need the signatures app); re-exported here
# so pages, API and tasks find every dossier write in one place.
from .result_signing import (  # noqa: E402
    dossier_attach_draft_result as dossier_attach_draft_result,
)
from .result_signing import dossier_issue_result as dossier_issue_result  # noqa: E402
from .result_signing import dossier_sign_and_approve as dossier_sign_and_approve  # noqa: E402
from .result_signing import dossiers_sign_and_approve_batch as dossiers_sign_and_approve_batch  # noqa: E402
