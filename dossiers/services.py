"""Every write to a dossier. One service per workflow transition, keyword-only, one transaction.

Each transition: lock the dossier row, check the state and the actor against the workflow table
(:mod:`dossiers.workflow`), change the dossier, append the hash-chained history row, and enqueue
the notifications through the transactional outbox — all committed together or not at all.

Deadlines follow Decree 118/2025: counted in the procedure's unit from the reception (next working
day after the daily cut-off), each step gets its share, and time waiting for the applicant
(supplements, financial obligation) does not count. Early / on time / late is always
:func:`portal.workcalendar.services.timeliness`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from portal.accounts.constants import Role
from portal.accounts.selectors import can_submit_dossiers
from portal.agencies.models import Agency
from portal.core.outbox import outbox_enqueue
from portal.core.text import nfc
from portal.workcalendar import services as workcalendar
from procedures.constants import PublicationState
from procedures.models import Procedure
from procedures.services import procedure_current_version

from . import printing, workflow
from .codes import issue_code
from .constants import (
    DEFAULT_STEPS,
    Action,
    Channel,
    DossierStatus,
    Rating,
    ResultDelivery,
    Stage,
    Timeliness,
)
from .exceptions import DossierError, PermissionDenied, TransitionNotAllowed
from .history import append_event
from .models import Apology, Dossier, DossierEvent, DossierFile, DossierStep, SupplementRequest
from .uploads import validate_upload

NOTIFY_TASK = "portal.notifications.tasks.send_dossier_event"
MAX_COMMENT = 4000


# --- helpers ----------------------------------------------------------------------------------


def _work_calendar(dossier: Dossier) -> Any:
    """The working calendar of the receiving agency's province (its declared days off and make-up
    working days apply)."""
    return workcalendar.get_calendar(dossier.receiving_agency)


def _timeliness(finished_at: datetime, due: datetime | None) -> str:
    if due is None:
        return ""
    result = workcalendar.timeliness(finished_at, due)
    return Timeliness[getattr(result, "name", str(result)).upper()].value


def _enqueue(dossier: Dossier, event: DossierEvent, name: str, *, user_id: int | None = None) -> None:
    """Tell the applicant (``user_id`` None) or one staff member about ``name`` after commit."""
    key = f"dossier:{dossier.pk}:event:{event.pk}" + (f":user:{user_id}" if user_id else "")
    outbox_enqueue(NOTIFY_TASK, kwargs={"dossier_id": dossier.pk, "event": name, "user_id": user_id}, dedupe_key=key)


def _lock(dossier: Dossier | int) -> Dossier:
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    return Dossier.objects.select_for_update(of=("self",)).get(pk=pk)


def _text(value: str | None, *, required: bool = False, what: str = "Lý do / Reason") -> str:
    value = (value or "").strip()
    if required and not value:
        raise DossierError(f"{what.split(' / ')[0]} là bắt buộc. / {what.split(' / ')[-1]} is required.")
    if len(value) > MAX_COMMENT:
        raise DossierError(f"Nội dung quá dài (tối đa {MAX_COMMENT} ký tự). / Text too long (at most {MAX_COMMENT} characters).")
    return value


def _close_step(dossier: Dossier, now: datetime) -> str:
    """Finish the current step; returns its timeliness for the hand-over row (form 06)."""
    step = dossier.current_step
    if step is None or step.finished_at is not None:
        return ""
    step.finished_at = now
    step.timeliness = _timeliness(now, step.due_at)
    step.save(update_fields=["finished_at", "timeliness"])
    return step.timeliness


def _advance_step(dossier: Dossier, now: datetime, *, assignee: Any = None, department: Agency | None = None) -> str:
    """Hand the dossier to the next step of its procedure; returns the finished step's timeliness."""
    finished = _close_step(dossier, now)
    current_order = dossier.current_step.order if dossier.current_step else 0
    nxt = dossier.steps.filter(order__gt=current_order).order_by("order").first()
    if nxt is not None:
        nxt.started_at = now
        nxt.assignee = assignee
        nxt.department = department or dossier.handling_department or dossier.receiving_agency
        nxt.save(update_fields=["started_at", "assignee", "department"])
        dossier.current_step = nxt
    return finished


def _pause(dossier: Dossier, now: datetime, status: int) -> None:
    dossier.resume_status = dossier.status
    dossier.resume_stage = dossier.stage
    dossier.paused_at = now
    dossier.status = status


def _resume(dossier: Dossier, now: datetime) -> int:
    """Restart the clock: the appointment date and the open steps' due times move by the paused
    working time (``extend_for_pause``). Returns the seconds paused."""
    paused = 0
    if dossier.paused_at is not None and dossier.due_at is not None:
        calendar, work_calendar = workcalendar, _work_calendar(dossier)
        start = dossier.paused_at
        dossier.due_at = calendar.extend_for_pause(dossier.due_at, start, now, calendar=work_calendar)
        for step in dossier.steps.filter(finished_at__isnull=True, due_at__isnull=False):
            step.due_at = calendar.extend_for_pause(step.due_at, start, now, calendar=work_calendar)
            step.save(update_fields=["due_at"])
        paused = int((now - start).total_seconds())
        dossier.paused_seconds += paused
    dossier.status = dossier.resume_status or DossierStatus.IN_PROGRESS
    dossier.stage = dossier.resume_stage or Stage.EXAMINATION
    dossier.paused_at = None
    dossier.resume_status = None
    dossier.resume_stage = ""
    return paused


def _end_pause(dossier: Dossier, now: datetime) -> None:
    """A paused dossier that closes (withdrawn, stopped) adds its waiting time and stops waiting."""
    if dossier.paused_at is not None:
        dossier.paused_seconds += int((now - dossier.paused_at).total_seconds())
    dossier.paused_at = None
    dossier.resume_status = None
    dossier.resume_stage = ""


def _procedure_available_at(procedure: Procedure, agency: Agency) -> bool:
    if not Procedure.objects.filter(pk=procedure.pk, state=PublicationState.PUBLISHED).exists():
        return False
    if procedure.agencies.filter(pk=agency.pk).exists():
        return True
    return agency.level in (procedure.agency_levels or [])


def _fee_total(snapshot: dict) -> Decimal:
    return sum((Decimal(str(f.get("amount") or 0)) for f in snapshot.get("fees", [])), Decimal("0"))


def _check_form_data(form_data: Any, snapshot: dict, *, complete: bool) -> dict:
    if form_data is None:
        return {}
    if not isinstance(form_data, dict):
        raise DossierError("Dữ liệu tờ khai không hợp lệ. / Invalid form data.")
    if complete:
        missing = [f.get("label") or f.get("name") for f in snapshot.get("form_fields", []) if f.get("required") and not str(form_data.get(f.get("name"), "")).strip()]
        if missing:
            raise DossierError(f"Chưa điền: {', '.join(missing)}. / Missing fields: {', '.join(missing)}.")
    return form_data


def _missing_documents(dossier: Dossier) -> list[str]:
    have = set(dossier.files.values_list("document_id", flat=True))
    return [d["name"] for d in dossier.procedure_version.snapshot.get("documents", []) if d.get("is_required") and d["id"] not in have]


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
) -> Dossier:
    """Create (``dossier`` None) or update an online draft (channel 2) of a verified applicant.

    ``applicant`` may override the snapshot taken from the profile (name, citizen_id, tax_code,
    phone, email, address); the account itself is never changed.
    """
    if not can_submit_dossiers(actor):
        raise PermissionDenied("Cần đăng nhập bằng tài khoản công dân đã xác thực e-mail. / A verified applicant account is required.")
    if dossier is None:
        if procedure is None or agency is None:
            raise DossierError("Cần chọn thủ tục và cơ quan. / Choose a procedure and an agency.")
        if procedure.level not in (3, 4) or not _procedure_available_at(procedure, agency):
            raise DossierError("Thủ tục này không nộp trực tuyến tại cơ quan đã chọn. / This procedure cannot be submitted online to this agency.")
        version = procedure_current_version(procedure)
        if version is None:
            raise DossierError("Thủ tục chưa được công bố. / The procedure is not published.")
        dossier = Dossier(
            procedure=procedure, procedure_version=version, receiving_agency=agency, applicant=actor,
            channel=Channel.ONLINE, status=DossierStatus.DRAFT, stage=Stage.DRAFT,
            applicant_name=actor.organisation_name or actor.full_name, applicant_citizen_id=actor.citizen_id,
            applicant_tax_code=actor.tax_code, applicant_phone=actor.phone, applicant_email=actor.email,
            applicant_address=actor.address, fee_total=_fee_total(version.snapshot),
        )
    else:
        dossier = _lock(dossier)
        if dossier.applicant_id != actor.pk:
            raise PermissionDenied()
        if dossier.status != DossierStatus.DRAFT:
            raise TransitionNotAllowed("Hồ sơ đã nộp, không sửa bản nháp được nữa. / The dossier was submitted; the draft can no longer be edited.")
    if form_data is not None:
        dossier.form_data = _check_form_data(form_data, dossier.procedure_version.snapshot, complete=False)
    _apply_applicant(dossier, applicant)
    dossier.save()
    return dossier


@transaction.atomic
def dossier_delete_draft(*, dossier: Dossier, actor: Any) -> None:
    """The applicant discards his own draft (never submitted: no code, no history) and its files."""
    dossier = _lock(dossier)
    if not workflow.actor_matches(dossier, actor, workflow.APPLICANT, workflow.OWNER):
        raise PermissionDenied()
    if dossier.status != DossierStatus.DRAFT:
        raise TransitionNotAllowed("Chỉ xoá được hồ sơ chưa nộp. / Only a draft that was never submitted can be deleted.")
    names = [f.file.name for f in dossier.files.all() if f.reused_from_id is None and f.file]
    dossier.files.all().delete()
    dossier.delete()
    storage = DossierFile._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(n) for n in names if not DossierFile.objects.filter(file=n).exists()])


def _apply_applicant(dossier: Dossier, applicant: dict | None) -> None:
    if not applicant:
        return
    fields = {"name": 255, "citizen_id": 12, "tax_code": 14, "phone": 20, "email": 254, "address": 255}
    for key, limit in fields.items():
        if key in applicant:
            value = nfc(str(applicant[key] or "")).strip()  # NFC: decomposed marks are not found by search
            if len(value) > limit:
                raise DossierError(f"Thông tin người nộp quá dài: {key}. / Applicant field too long: {key}.")
            setattr(dossier, f"applicant_{key}", value)
    if dossier.applicant_citizen_id and not (dossier.applicant_citizen_id.isdigit() and len(dossier.applicant_citizen_id) == 12):
        raise DossierError("Số CCCD phải gồm 12 chữ số. / The citizen ID must be 12 digits.")
    if not dossier.applicant_name:
        raise DossierError("Họ tên người nộp là bắt buộc. / The applicant's name is required.")


@transaction.atomic
def dossier_submit(*, dossier: Dossier, actor: Any) -> Dossier:
    """Submit an online draft: status 1 (Mới đăng ký). Every required document must be attached
    and the procedure's required fields filled."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.SUBMIT)
    if not can_submit_dossiers(actor):
        raise PermissionDenied("Cần xác thực e-mail trước khi nộp hồ sơ. / Verify your e-mail address before submitting.")
    _check_form_data(dossier.form_data, dossier.procedure_version.snapshot, complete=True)
    missing = _missing_documents(dossier)
    if missing:
        raise DossierError(f"Còn thiếu giấy tờ: {'; '.join(missing)}. / Required documents missing: {'; '.join(missing)}.")
    previous = dossier.status
    dossier.status = DossierStatus.NEW
    dossier.stage = Stage.INTAKE
    dossier.submitted_at = timezone.now()
    dossier.save()
    event = append_event(dossier, action=Action.SUBMIT, actor=actor, from_status=previous, to_agency=dossier.receiving_agency)
    _enqueue(dossier, event, "submitted")
    return dossier


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
) -> Dossier:
    """A one-stop clerk records a walk-in (channel 1) or postal (channel 3) dossier: status 1.
    The clerk then attaches the scanned papers (``dossier_add_file``) and checks it."""
    agency = agency or actor.agency
    if agency is None or not workflow.actor_matches(Dossier(receiving_agency=agency), actor, Role.CLERK, workflow.RECEIVING):
        raise PermissionDenied("Chỉ công chức Bộ phận Một cửa của cơ quan mới được tiếp nhận. / Only a one-stop clerk of the agency may record dossiers.")
    if channel not in (Channel.IN_PERSON, Channel.POSTAL):
        raise DossierError("Kênh nộp tại quầy là trực tiếp (1) hoặc bưu chính (3). / Counter channels are in person (1) or postal (3).")
    if not _procedure_available_at(procedure, agency):
        raise DossierError("Cơ quan này không giải quyết thủ tục đã chọn. / This agency does not handle the chosen procedure.")
    version = procedure_current_version(procedure)
    if version is None:
        raise DossierError("Thủ tục chưa được công bố. / The procedure is not published.")
    if applicant_user is not None and not getattr(applicant_user, "is_applicant", False):
        raise DossierError("Tài khoản người nộp không hợp lệ. / Invalid applicant account.")
    now = timezone.now()
    dossier = Dossier(
        procedure=procedure, procedure_version=version, receiving_agency=agency, applicant=applicant_user,
        channel=channel, status=DossierStatus.NEW, stage=Stage.INTAKE, submitted_at=now,
        fee_total=_fee_total(version.snapshot),
        form_data=_check_form_data(form_data, version.snapshot, complete=False),
    )
    _apply_applicant(dossier, applicant or {})
    dossier.save()
    append_event(dossier, action=Action.CREATE_AT_COUNTER, actor=actor, from_status=None, to_agency=agency, comment=_text(comment))
    return dossier


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
) -> DossierFile:
    """Attach a file for one required document, checked by :func:`dossiers.uploads.validate_upload`
    (PDF, JPEG or PNG by content, size limit, not damaged).

    The applicant attaches to his draft or when supplements are requested; the clerk attaches
    scans at intake (``is_digitised``: digitised at the counter, counted by Decision 766).
    """
    dossier = _lock(dossier)
    if not _may_attach(dossier, actor):
        raise PermissionDenied("Không thể đính kèm tệp vào hồ sơ ở trạng thái này. / Files cannot be attached to this dossier now.")
    documents = {d["id"]: d["name"] for d in dossier.procedure_version.snapshot.get("documents", [])}
    if document_id is not None and document_id not in documents:
        raise DossierError("Giấy tờ không thuộc thủ tục này. / This document is not part of the procedure.")
    try:
        checked = validate_upload(uploaded_file)
    except ValidationError as exc:
        raise DossierError(" ".join(exc.messages)) from None
    staff = getattr(actor, "is_staff_member", False)
    item = DossierFile(
        dossier=dossier, document_id=document_id, document_name=documents.get(document_id, "Giấy tờ khác"),
        original_name=checked.original_name, content_type=checked.content_type, size=checked.size,
        sha256=checked.sha256, is_digitised=bool(is_digitised and staff),
        is_supplement=dossier.status == DossierStatus.SUPPLEMENT_REQUESTED, uploaded_by=actor,
    )
    uploaded_file.seek(0)
    item.file.save(checked.stored_name, uploaded_file, save=False)
    item.save()
    return item


@transaction.atomic
def dossier_reuse_file(*, dossier: Dossier, actor: Any, source: DossierFile, document_id: int | None = None) -> DossierFile:
    """Reuse a file from one of the applicant's earlier dossiers instead of uploading it again."""
    dossier = _lock(dossier)
    if not _may_attach(dossier, actor) or source.dossier.applicant_id != actor.pk or not getattr(actor, "is_applicant", False):
        raise PermissionDenied()
    documents = {d["id"]: d["name"] for d in dossier.procedure_version.snapshot.get("documents", [])}
    if document_id is not None and document_id not in documents:
        raise DossierError("Giấy tờ không thuộc thủ tục này. / This document is not part of the procedure.")
    return DossierFile.objects.create(
        dossier=dossier, document_id=document_id, document_name=documents.get(document_id, source.document_name),
        file=source.file.name, original_name=source.original_name, content_type=source.content_type,
        size=source.size, sha256=source.sha256, uploaded_by=actor, reused_from=source.reused_from or source,
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


@transaction.atomic
def dossier_receive(*, dossier: Dossier, actor: Any, comment: str = "") -> Dossier:
    """Receive a complete dossier (status 2): issue the code, compute the counting start (next
    working day after the cut-off or outside working hours), the appointment date and each
    step's due time. Form 01 (receipt and appointment slip) is printed from these fields."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.RECEIVE)
    calendar, work_calendar = workcalendar, _work_calendar(dossier)
    now = timezone.now()
    snapshot = dossier.procedure_version.snapshot
    cutoff = time.fromisoformat(snapshot["cutoff_time"]) if snapshot.get("cutoff_time") else None
    dossier.code = issue_code(agency=dossier.receiving_agency, day=timezone.localdate(now))
    dossier.received_at = now
    dossier.counting_start = calendar.counting_start(now, cutoff=cutoff, online=dossier.channel == Channel.ONLINE, calendar=work_calendar)
    dossier.due_at = calendar.due_at(
        dossier.counting_start, Decimal(str(snapshot.get("processing_time") or 0)), snapshot.get("time_unit") or "working_days",
        calendar=work_calendar,
    )
    steps = snapshot.get("steps") or DEFAULT_STEPS
    dues = calendar.step_due_times(dossier.counting_start, dossier.due_at, [Decimal(str(s["share_percent"])) for s in steps], calendar=work_calendar)
    dossier.steps.all().delete()
    created = DossierStep.objects.bulk_create(
        DossierStep(dossier=dossier, order=i, name=s["name"], role=s["role"], due_at=due)
        for i, (s, due) in enumerate(zip(steps, dues, strict=True), start=1)
    )
    first = created[0]
    first.started_at, first.assignee, first.department = now, actor, dossier.receiving_agency
    first.save(update_fields=["started_at", "assignee", "department"])
    previous = dossier.status
    dossier.current_step = first
    dossier.status = DossierStatus.RECEIVED
    dossier.stage = Stage.ASSIGNMENT
    dossier.save()
    event = append_event(
        dossier, action=Action.RECEIVE, actor=actor, from_status=previous, comment=_text(comment),
        to_user=actor, to_agency=dossier.receiving_agency,
        data={"code": dossier.code, "due_at": dossier.due_at.isoformat(), "counting_start": dossier.counting_start.isoformat()},
    )
    _enqueue(dossier, event, "received")
    printing.on_transition(dossier, printing.Kind.RECEIPT)
    return dossier


def _clean_items(items: Any) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise DossierError("Cần liệt kê giấy tờ cần bổ sung. / List the documents to supplement.")
    cleaned = []
    for item in items[:50]:
        if not isinstance(item, dict) or not str(item.get("document", "")).strip():
            raise DossierError("Mỗi mục cần có tên giấy tờ. / Each item needs a document name.")
        cleaned.append({"document": _text(str(item["document"]))[:500], "reason": _text(str(item.get("reason", "")))[:1000]})
    return cleaned


@transaction.atomic
def dossier_request_supplement(*, dossier: Dossier, actor: Any, items: list[dict], reason: str) -> SupplementRequest:
    """Ask for supplements (status 5, form 02). During processing the clock pauses until the
    applicant answers. Every request counts in ``supplement_cycles`` (Decision 766: more than
    one request counts the dossier as late), answered or not."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.REQUEST_SUPPLEMENT)
    reason = _text(reason, required=True)
    items = _clean_items(items)
    now = timezone.now()
    previous = dossier.status
    during = previous != DossierStatus.NEW
    _pause(dossier, now, DossierStatus.SUPPLEMENT_REQUESTED)
    if not during:
        dossier.paused_at = None  # the clock has not started before reception
    dossier.supplement_cycles += 1
    dossier.save()
    request = SupplementRequest.objects.create(dossier=dossier, requested_by=actor, items=items, reason=reason, during_processing=during, requested_at=now)
    event = append_event(dossier, action=Action.REQUEST_SUPPLEMENT, actor=actor, from_status=previous, comment=reason, data={"items": items})
    _enqueue(dossier, event, "supplement_requested")
    printing.on_transition(dossier, printing.Kind.SUPPLEMENT, request)
    return request


@transaction.atomic
def dossier_answer_supplement(*, dossier: Dossier, actor: Any, comment: str = "") -> Dossier:
    """The applicant (online) or the clerk (at the counter) hands in the supplements: back to
    status 1 at intake, or to where processing stood, with the appointment date moved by the
    working time waited."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.ANSWER_SUPPLEMENT)
    now = timezone.now()
    previous = dossier.status
    paused = _resume(dossier, now)
    dossier.save()
    SupplementRequest.objects.filter(dossier=dossier, answered_at__isnull=True).update(answered_at=now, answered_by=actor, answer_comment=_text(comment))
    event = append_event(dossier, action=Action.ANSWER_SUPPLEMENT, actor=actor, from_status=previous, comment=_text(comment), data={"paused_seconds": paused})
    if dossier.assigned_to_id:
        _enqueue(dossier, event, "supplement_answered", user_id=dossier.assigned_to_id)
    return dossier


@transaction.atomic
def dossier_refuse(*, dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """Refuse to receive (status 3, form 03), with the reason."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.REFUSE)
    reason = _text(reason, required=True)
    previous = dossier.status
    _end_pause(dossier, timezone.now())
    dossier.status = DossierStatus.NOT_RECEIVED
    dossier.stage = Stage.CLOSED
    dossier.save()
    event = append_event(dossier, action=Action.REFUSE, actor=actor, from_status=previous, comment=reason)
    _enqueue(dossier, event, "refused")
    printing.on_transition(dossier, printing.Kind.REFUSAL)
    return dossier


# --- processing -------------------------------------------------------------------------------


def _check_assignee(user: Any, unit: Agency, role: str) -> None:
    if user is None:
        return
    if not workflow.acts_in_unit(user, unit, role):
        raise DossierError("Người nhận không thuộc đơn vị xử lý hoặc không có vai trò phù hợp. / The receiver does not work in the handling unit or lacks the role.")


@transaction.atomic
def dossier_assign(*, dossier: Dossier, actor: Any, department: Agency | None = None, assignee: Any = None, comment: str = "") -> Dossier:
    """Hand over for processing (status 4). From reception: the clerk (or leader) hands the
    dossier to a department of the agency, optionally straight to a specialist. In processing:
    the department's leader assigns (or reassigns) a specialist."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.ASSIGN)
    now = timezone.now()
    previous, from_unit, from_user = dossier.status, workflow.unit_of(dossier), dossier.assigned_to
    step_timeliness = ""
    if previous == DossierStatus.RECEIVED:
        if department is None:
            raise DossierError("Cần chọn phòng, ban xử lý. / Choose the handling department.")
        if not department.is_within(dossier.receiving_agency):
            raise DossierError("Phòng, ban không thuộc cơ quan tiếp nhận. / The department is not part of the receiving agency.")
        _check_assignee(assignee, department, Role.SPECIALIST)
        dossier.handling_department = department
        dossier.assigned_to = assignee
        step_timeliness = _advance_step(dossier, now, assignee=assignee, department=department)
    else:
        if assignee is None:
            raise DossierError("Cần chọn chuyên viên xử lý. / Choose the specialist.")
        if department is not None:
            if not department.is_within(from_unit.province()) or not workflow.acts_in_unit(actor, department, Role.LEADER):
                raise DossierError("Không thể chuyển sang đơn vị này. / Cannot hand over to this unit.")
            dossier.handling_department = department
        _check_assignee(assignee, workflow.unit_of(dossier), Role.SPECIALIST)
        dossier.assigned_to = assignee
        if dossier.current_step_id:
            DossierStep.objects.filter(pk=dossier.current_step_id).update(assignee=assignee, department=workflow.unit_of(dossier))
    dossier.status = DossierStatus.IN_PROGRESS
    dossier.stage = Stage.EXAMINATION if assignee else Stage.ASSIGNMENT
    dossier.save()
    event = append_event(
        dossier, action=Action.ASSIGN, actor=actor, from_status=previous, comment=_text(comment),
        from_user=from_user or actor, to_user=assignee, from_agency=from_unit, to_agency=workflow.unit_of(dossier),
        step_timeliness=step_timeliness,
    )
    if assignee is not None:
        _enqueue(dossier, event, "assigned", user_id=assignee.pk)
    return dossier


@transaction.atomic
def dossiers_bulk_assign(*, dossiers: Iterable[Dossier], actor: Any, department: Agency | None = None, assignee: Any = None) -> list[Dossier]:
    """Assign several dossiers at once: all or none."""
    return [dossier_assign(dossier=d, actor=actor, department=department, assignee=assignee) for d in dossiers]


@transaction.atomic
def dossier_forward_for_approval(*, dossier: Dossier, actor: Any, leader: Any = None, comment: str = "") -> Dossier:
    """The specialist has examined the dossier and drafted the result: to the leader for approval."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.FORWARD)
    _check_assignee(leader, workflow.unit_of(dossier), Role.LEADER)
    now = timezone.now()
    step_timeliness = _advance_step(dossier, now, assignee=leader, department=workflow.unit_of(dossier))
    dossier.stage = Stage.APPROVAL
    dossier.assigned_to = leader
    dossier.save()
    event = append_event(
        dossier, action=Action.FORWARD, actor=actor, from_status=DossierStatus.IN_PROGRESS, comment=_text(comment),
        from_user=actor, to_user=leader, from_agency=workflow.unit_of(dossier), to_agency=workflow.unit_of(dossier),
        step_timeliness=step_timeliness,
    )
    if leader is not None:
        _enqueue(dossier, event, "approval_requested", user_id=leader.pk)
    return dossier


@transaction.atomic
def dossier_send_back(*, dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """The leader sends the draft result back to the specialist who forwarded it."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.SEND_BACK)
    reason = _text(reason, required=True)
    last_forward = dossier.events.filter(action=Action.FORWARD).order_by("-seq").first()
    specialist = last_forward.actor if last_forward else None
    dossier.stage = Stage.EXAMINATION
    dossier.assigned_to = specialist
    dossier.save()
    event = append_event(dossier, action=Action.SEND_BACK, actor=actor, from_status=DossierStatus.IN_PROGRESS, comment=reason, from_user=actor, to_user=specialist)
    if specialist is not None:
        _enqueue(dossier, event, "sent_back", user_id=specialist.pk)
    return dossier


@transaction.atomic
def dossier_approve(*, dossier: Dossier, actor: Any, comment: str = "", result_file: UploadedFile | None = None) -> Dossier:
    """The leader approves: status 9 (Đã xử lý xong), the result is ready to return. The dossier's
    early/on-time/late is fixed here against its appointment date. (Signing the result PDF hooks
    in here once the signatures work lands.)"""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.APPROVE)
    now = timezone.now()
    if result_file is not None:
        head = result_file.read(16)
        result_file.seek(0)
        if _sniff(head) != "application/pdf":
            raise DossierError("Kết quả phải là tệp PDF. / The result must be a PDF file.")
        dossier.result_file.save("ket-qua.pdf", result_file, save=False)
    step_timeliness = _advance_step(dossier, now, department=dossier.receiving_agency)
    dossier.status = DossierStatus.PROCESSED
    dossier.stage = Stage.RESULT
    dossier.finished_at = now
    dossier.timeliness = _timeliness(now, dossier.due_at)
    dossier.assigned_to = None
    dossier.save()
    event = append_event(
        dossier, action=Action.APPROVE, actor=actor, from_status=DossierStatus.IN_PROGRESS, comment=_text(comment),
        from_user=actor, from_agency=workflow.unit_of(dossier), to_agency=dossier.receiving_agency,
        step_timeliness=step_timeliness, data={"timeliness": dossier.timeliness},
    )
    _enqueue(dossier, event, "result_ready")
    printing.on_transition(dossier, printing.Kind.CONTROL)
    return dossier


@transaction.atomic
def dossier_request_payment(*, dossier: Dossier, actor: Any, amount: Decimal | None = None, reason: str = "") -> Dossier:
    """Ask the applicant to fulfil a financial obligation (status 6); the clock waits."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.REQUEST_PAYMENT)
    amount = dossier.fee_total if amount is None else Decimal(amount)
    if amount <= 0:
        raise DossierError("Số tiền phải lớn hơn 0. / The amount must be greater than 0.")
    previous = dossier.status
    _pause(dossier, timezone.now(), DossierStatus.FINANCIAL_OBLIGATION)
    dossier.fee_total = amount
    dossier.save()
    event = append_event(dossier, action=Action.REQUEST_PAYMENT, actor=actor, from_status=previous, comment=_text(reason), data={"amount": str(amount)})
    _enqueue(dossier, event, "payment_requested")
    return dossier


@transaction.atomic
def dossier_confirm_payment(*, dossier: Dossier, actor: Any, reference: str = "", amount: Decimal | None = None) -> Dossier:
    """The payment arrived (recorded by the clerk, or by the payment gateway's callback on behalf
    of the applicant): processing resumes, the appointment date moves by the time waited."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.CONFIRM_PAYMENT)
    if amount is not None and Decimal(amount) != dossier.fee_total:
        raise DossierError("Số tiền không khớp. / The amount does not match.")
    now = timezone.now()
    previous = dossier.status
    paused = _resume(dossier, now)
    dossier.paid_at = now
    dossier.save()
    append_event(dossier, action=Action.CONFIRM_PAYMENT, actor=actor, from_status=previous, data={"reference": _text(reference)[:100], "amount": str(dossier.fee_total), "paused_seconds": paused})
    return dossier


@transaction.atomic
def dossier_transfer(*, dossier: Dossier, actor: Any, to_agency: Agency, to_user: Any = None, comment: str = "") -> Dossier:
    """Hand over to another agency (liên thông), recorded with giver and receiver; the receiving
    agency keeps the dossier's code and returns the result."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.TRANSFER)
    from_unit = workflow.unit_of(dossier)
    if not to_agency.is_active or to_agency.pk == from_unit.pk:
        raise DossierError("Cơ quan nhận không hợp lệ. / Invalid receiving agency.")
    if to_user is not None and not (
        workflow.acts_in_unit(to_user, to_agency, Role.SPECIALIST) or workflow.acts_in_unit(to_user, to_agency, Role.LEADER)
        or workflow.acts_in_unit(to_user, to_agency, Role.CLERK)
    ):
        raise DossierError("Người nhận không thuộc cơ quan nhận. / The receiver does not work at the receiving agency.")
    now = timezone.now()
    previous, from_user = dossier.status, dossier.assigned_to
    step_timeliness = _advance_step(dossier, now, assignee=to_user, department=to_agency) if previous == DossierStatus.RECEIVED else ""
    dossier.handling_department = to_agency
    dossier.assigned_to = to_user if to_user is not None and to_user.has_role(Role.SPECIALIST) else None
    dossier.status = DossierStatus.IN_PROGRESS
    dossier.stage = Stage.EXAMINATION if dossier.assigned_to else Stage.ASSIGNMENT
    dossier.save()
    event = append_event(
        dossier, action=Action.TRANSFER, actor=actor, from_status=previous, comment=_text(comment),
        from_user=from_user or actor, to_user=to_user, from_agency=from_unit, to_agency=to_agency, step_timeliness=step_timeliness,
    )
    if to_user is not None:
        _enqueue(dossier, event, "transferred", user_id=to_user.pk)
    return dossier


# --- return, closing, rating, apology -----------------------------------------------------------


@transaction.atomic
def dossier_return_result(*, dossier: Dossier, actor: Any, delivery: str = ResultDelivery.COUNTER, comment: str = "") -> Dossier:
    """Hand the result back (status 10): at the counter, by post, or online (the applicant
    downloads the electronic result, which must then exist)."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.RETURN_RESULT)
    if delivery not in ResultDelivery.values:
        raise DossierError("Hình thức trả kết quả không hợp lệ. / Invalid delivery method.")
    if delivery == ResultDelivery.ONLINE and not dossier.result_file:
        raise DossierError("Chưa có kết quả điện tử để trả trực tuyến. / There is no electronic result to return online.")
    now = timezone.now()
    step_timeliness = _close_step(dossier, now)
    dossier.status = DossierStatus.RETURNED
    dossier.stage = Stage.CLOSED
    dossier.returned_at = now
    dossier.result_delivery = delivery
    dossier.save()
    event = append_event(
        dossier, action=Action.RETURN_RESULT, actor=actor, from_status=DossierStatus.PROCESSED, comment=_text(comment),
        from_user=actor, from_agency=dossier.receiving_agency, step_timeliness=step_timeliness, data={"delivery": delivery},
    )
    _enqueue(dossier, event, "returned")
    printing.on_transition(dossier, printing.Kind.CONTROL)
    return dossier


@transaction.atomic
def dossier_withdraw(*, dossier: Dossier, actor: Any, reason: str = "") -> Dossier:
    """Withdrawal at the applicant's request (status 7): online by the applicant, or recorded by
    the clerk when the applicant asks at the counter."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.WITHDRAW)
    previous = dossier.status
    _end_pause(dossier, timezone.now())
    _close_step(dossier, timezone.now())
    dossier.status = DossierStatus.WITHDRAWN
    dossier.stage = Stage.CLOSED
    dossier.assigned_to = None
    dossier.save()
    event = append_event(dossier, action=Action.WITHDRAW, actor=actor, from_status=previous, comment=_text(reason))
    _enqueue(dossier, event, "withdrawn")
    return dossier


@transaction.atomic
def dossier_stop(*, dossier: Dossier, actor: Any, reason: str) -> Dossier:
    """A leader stops processing (status 8, form 05), with the reason."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.STOP)
    reason = _text(reason, required=True)
    previous = dossier.status
    _end_pause(dossier, timezone.now())
    _close_step(dossier, timezone.now())
    dossier.status = DossierStatus.STOPPED
    dossier.stage = Stage.CLOSED
    dossier.assigned_to = None
    dossier.save()
    event = append_event(dossier, action=Action.STOP, actor=actor, from_status=previous, comment=reason)
    _enqueue(dossier, event, "stopped")
    printing.on_transition(dossier, printing.Kind.STOP)
    return dossier


@transaction.atomic
def dossier_rate(*, dossier: Dossier, actor: Any, rating: str, comment: str = "") -> Dossier:
    """The applicant rates the service once after the return (satisfied / acceptable / not)."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.RATE)
    if rating not in Rating.values:
        raise DossierError("Mức đánh giá không hợp lệ. / Invalid rating.")
    dossier.rating = rating
    dossier.rating_comment = _text(comment)
    dossier.rated_at = timezone.now()
    dossier.save()
    append_event(dossier, action=Action.RATE, actor=actor, from_status=dossier.status, data={"rating": rating}, comment=dossier.rating_comment)
    return dossier


@transaction.atomic
def dossier_record_apology(*, dossier: Dossier, actor: Any, reason: str, new_due_at: datetime) -> Apology:
    """Form 04: a late dossier's apology with a new appointment date, sent to the applicant. The
    legal appointment date stays (the dossier still counts as late); the new date is kept in
    ``rescheduled_due_at``."""
    dossier = _lock(dossier)
    workflow.check_transition(dossier, actor, Action.APOLOGISE)
    reason = _text(reason, required=True)
    now = timezone.now()
    if new_due_at is None or timezone.is_naive(new_due_at) or new_due_at <= now:
        raise DossierError("Ngày hẹn mới phải ở tương lai. / The new appointment date must be in the future.")
    approver = actor if actor.has_role(Role.LEADER) else None
    apology = Apology.objects.create(dossier=dossier, reason=reason, new_due_at=new_due_at, created_by=actor, approved_by=approver, sent_at=now)
    dossier.rescheduled_due_at = new_due_at
    dossier.save()
    event = append_event(dossier, action=Action.APOLOGISE, actor=actor, from_status=dossier.status, comment=reason, data={"new_due_at": new_due_at.isoformat()})
    _enqueue(dossier, event, "apology")
    printing.on_transition(dossier, printing.Kind.APOLOGY, apology)
    return apology


#: The reason a drafted apology proposes; the leader edits it before approving (form 04).
DRAFT_APOLOGY_REASON = (
    "Hồ sơ chưa được giải quyết xong đúng ngày hẹn trả kết quả. Cơ quan xin lỗi ông/bà và hẹn lại ngày trả kết quả."
)


@transaction.atomic
def dossier_draft_apology(*, dossier: Dossier, new_due_at: datetime, now: datetime | None = None, reason: str = "") -> Apology | None:
    """Draft form 04 for a dossier that has just become late, for its leader to approve.

    A draft is an :class:`Apology` with neither ``approved_by`` nor ``sent_at``; the applicant hears
    nothing until :func:`dossier_approve_apology`. Drafted by the deadline scan
    (:mod:`portal.notifications.reminders`): ``created_by`` is the assignee, else a leader of the
    unit. Returns None when the dossier is no longer late and open, or already has an apology.
    """
    dossier = _lock(dossier)
    now = now or timezone.now()
    if dossier.status not in (DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS) or not workflow.is_late(dossier, now):
        return None
    if dossier.rescheduled_due_at is not None or dossier.apologies.exists():
        return None
    from portal.notifications.reminders import leaders_of

    author = dossier.assigned_to or leaders_of(dossier).first()
    if author is None:
        return None
    return Apology.objects.create(dossier=dossier, reason=reason or DRAFT_APOLOGY_REASON, new_due_at=new_due_at, created_by=author)


@transaction.atomic
def dossier_approve_apology(*, apology: Apology, actor: Any, reason: str | None = None, new_due_at: datetime | None = None) -> Apology:
    """A leader approves (and may edit) a drafted apology: it is sent to the applicant ("late with
    the apology"), and the new appointment date is kept in ``rescheduled_due_at``."""
    dossier = _lock(apology.dossier_id)
    apology = Apology.objects.select_for_update().get(pk=apology.pk)
    workflow.check_transition(dossier, actor, Action.APOLOGISE)
    if not actor.has_role(Role.LEADER):
        raise PermissionDenied("Chỉ lãnh đạo được duyệt văn bản xin lỗi. / Only a leader may approve an apology.")
    if apology.sent_at is not None:
        raise DossierError("Văn bản xin lỗi này đã được gửi. / This apology has already been sent.")
    reason = _text(reason if reason is not None else apology.reason, required=True)
    new_due_at = new_due_at or apology.new_due_at
    now = timezone.now()
    if new_due_at is None or timezone.is_naive(new_due_at) or new_due_at <= now:
        raise DossierError("Ngày hẹn mới phải ở tương lai. / The new appointment date must be in the future.")
    apology.reason, apology.new_due_at, apology.approved_by, apology.sent_at = reason, new_due_at, actor, now
    apology.save(update_fields=["reason", "new_due_at", "approved_by", "sent_at"])
    dossier.rescheduled_due_at = new_due_at
    dossier.save()
    event = append_event(
        dossier, action=Action.APOLOGISE, actor=actor, from_status=dossier.status, comment=reason,
        data={"new_due_at": new_due_at.isoformat(), "apology": apology.pk},
    )
    _enqueue(dossier, event, "apology")
    return apology


# --- signing the result (issue 5): the leader's "Ký số và phê duyệt", the văn thư's issuing ------
# The services live in dossiers/result_signing.py (they need the signatures app); re-exported here
# so pages, API and tasks find every dossier write in one place.
from .result_signing import (  # noqa: E402
    dossier_attach_draft_result as dossier_attach_draft_result,
)
from .result_signing import dossier_issue_result as dossier_issue_result  # noqa: E402
from .result_signing import dossier_sign_and_approve as dossier_sign_and_approve  # noqa: E402
from .result_signing import dossiers_sign_and_approve_batch as dossiers_sign_and_approve_batch  # noqa: E402
