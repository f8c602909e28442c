"""The specific part of each dossier transition (the *effect* of its row in
:mod:`dossiers.workflow`), and the clock helpers the engine's hooks use.

An effect receives the :class:`portal.workflow.Step` (the row-locked dossier, the actor, the
time) and the row's input as keyword arguments; it checks the input, changes what only this action
changes, and fills ``step.event`` (the history row's fields). It never sets the status, the stage
when the row names one, the clock, the history, the notification or the printed form: the engine
does that from the row.

Deadlines follow Decree 118/2025: counted in the procedure's unit from the reception (next working
day after the daily cut-off), each step gets its share, and time waiting for the applicant
(supplements, financial obligation) does not count. Early / on time / late is always
:func:`portal.workcalendar.services.timeliness`.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.selectors import can_submit_dossiers
from portal.agencies.models import Agency
from portal.core.filehash import sha256_of
from portal.workcalendar import services as workcalendar
from portal.workflow import Step

from . import deadlines
from .access import acts_in_unit, unit_of
from .codes import issue_code
from .constants import (
    DEFAULT_STEPS,
    DossierStatus,
    Rating,
    ResultDelivery,
    Stage,
    Timeliness,
)
from .delivery import return_method
from .exceptions import DossierError, PermissionDenied
from .models import Apology, Dossier, DossierStep, SupplementRequest

MAX_COMMENT = 4000
MAX_RESULT_BYTES = 20 * 1024 * 1024


# --- helpers ------------------------------------------------------------------------------------


def work_calendar(dossier: Dossier) -> Any:
    """The working calendar of the receiving agency's province (its declared days off and make-up
    working days apply)."""
    return workcalendar.get_calendar(dossier.receiving_agency)


def timeliness_of(finished_at: datetime, due: datetime | None) -> str:
    if due is None:
        return ""
    result = workcalendar.timeliness(finished_at, due)
    return Timeliness[getattr(result, "name", str(result)).upper()].value


def lock(dossier: Dossier | int) -> Dossier:
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    return Dossier.objects.select_for_update(of=("self",)).get(pk=pk)


def clean_text(value: str | None, *, required: bool = False, what: str | None = None) -> str:
    """A comment or reason: trimmed, at most 4000 characters; ``what`` names it when required."""
    value = (value or "").strip()
    if required and not value:
        raise DossierError(
            _("%(what)s is required.") % {"what": what or _("The reason")}, code="required"
        )
    if len(value) > MAX_COMMENT:
        raise DossierError(
            _("Text too long (at most %(max)d characters).") % {"max": MAX_COMMENT}, code="too_long"
        )
    return value


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def close_step(dossier: Dossier, now: datetime) -> str:
    """Finish the current step; returns its timeliness for the hand-over row (form 06)."""
    step = dossier.current_step
    if step is None or step.finished_at is not None:
        return ""
    step.finished_at = now
    step.timeliness = timeliness_of(now, step.due_at)
    step.save(update_fields=["finished_at", "timeliness"])
    return step.timeliness


def advance_step(
    dossier: Dossier, now: datetime, *, assignee: Any = None, department: Agency | None = None
) -> str:
    """Hand the dossier to the next step of its procedure; returns the finished step's timeliness."""
    finished = close_step(dossier, now)
    current_order = dossier.current_step.order if dossier.current_step else 0
    nxt = dossier.steps.filter(order__gt=current_order).order_by("order").first()
    if nxt is not None:
        nxt.started_at = now
        nxt.assignee = assignee
        nxt.department = department or dossier.handling_department or dossier.receiving_agency
        nxt.save(update_fields=["started_at", "assignee", "department"])
        dossier.current_step = nxt
    return finished


def pause(dossier: Dossier, now: datetime) -> None:
    """Start waiting for the applicant: remember where processing stood. Before reception the
    legal clock has not started, so nothing is paused."""
    started = dossier.status != DossierStatus.NEW
    dossier.resume_status = dossier.status
    dossier.resume_stage = dossier.stage
    dossier.paused_at = now if started else None


def resume(dossier: Dossier, now: datetime) -> int:
    """Restart the clock: the appointment date and the open steps' due times move by the paused
    working time (``extend_for_pause``); back to where processing stood. Returns the seconds
    paused."""
    paused = 0
    if dossier.paused_at is not None and dossier.due_at is not None:
        calendar = work_calendar(dossier)
        start = dossier.paused_at
        dossier.due_at = workcalendar.extend_for_pause(
            dossier.due_at, start, now, calendar=calendar
        )
        for step in dossier.steps.filter(finished_at__isnull=True, due_at__isnull=False):
            step.due_at = workcalendar.extend_for_pause(step.due_at, start, now, calendar=calendar)
            step.save(update_fields=["due_at"])
        paused = int((now - start).total_seconds())
        dossier.paused_seconds += paused
    dossier.status = dossier.resume_status or DossierStatus.IN_PROGRESS
    dossier.stage = dossier.resume_stage or Stage.EXAMINATION
    dossier.paused_at = None
    dossier.resume_status = None
    dossier.resume_stage = ""
    return paused


def end_pause(dossier: Dossier, now: datetime) -> None:
    """A paused dossier that closes (refused, withdrawn, stopped) adds its waiting time."""
    if dossier.paused_at is not None:
        dossier.paused_seconds += int((now - dossier.paused_at).total_seconds())
    dossier.paused_at = None
    dossier.resume_status = None
    dossier.resume_stage = ""


def check_form_data(form_data: Any, snapshot: dict, *, complete: bool) -> dict:
    if form_data is None:
        return {}
    if not isinstance(form_data, dict):
        raise DossierError(_("Invalid form data."))
    if complete:
        missing = [
            f.get("label") or f.get("name")
            for f in snapshot.get("form_fields", [])
            if f.get("required") and not str(form_data.get(f.get("name"), "")).strip()
        ]
        if missing:
            raise DossierError(
                _("Missing fields: %(fields)s.") % {"fields": ", ".join(missing)}, code="incomplete"
            )
    return form_data


def missing_documents(dossier: Dossier) -> list[str]:
    have = set(dossier.files.values_list("document_id", flat=True))
    return [
        d["name"]
        for d in dossier.procedure_version.snapshot.get("documents", [])
        if d.get("is_required") and d["id"] not in have
    ]


def check_receiver(user: Any, unit: Agency, role: str) -> None:
    if user is not None and not acts_in_unit(user, unit, role):
        raise DossierError(
            _("The receiver does not work in the handling unit or lacks the role."),
            code="invalid_receiver",
        )


def examination_if_assigned(dossier: Dossier) -> str:
    """The stage after a hand-over: examination when a specialist holds it, else assignment."""
    return Stage.EXAMINATION if dossier.assigned_to_id else Stage.ASSIGNMENT


def _read_pdf(upload: UploadedFile) -> None:
    head = upload.read(16)
    upload.seek(0)
    if sniff(head) != "application/pdf":
        raise DossierError(_("The result must be a PDF file."), code="not_pdf")


# --- the effects, in the table's order ------------------------------------------------------------


def submit(step: Step) -> None:
    """Online submission: every required document attached, the required fields filled."""
    dossier = step.obj
    if not can_submit_dossiers(step.actor):
        raise PermissionDenied(_("Verify your e-mail address before submitting."))
    check_form_data(dossier.form_data, dossier.procedure_version.snapshot, complete=True)
    missing = missing_documents(dossier)
    if missing:
        raise DossierError(
            _("Required documents missing: %(documents)s.") % {"documents": "; ".join(missing)},
            code="incomplete",
        )
    dossier.submitted_at = step.now
    # The code is issued at submission, as the national portal does, so the applicant can track the
    # dossier at once (issue 14); reception keeps it. Same gapless counter as at the counter.
    dossier.code = dossier.code or issue_code(
        agency=dossier.receiving_agency, day=timezone.localdate(step.now)
    )
    step.event.update(to_agency=dossier.receiving_agency, data={"code": dossier.code})


def receive(step: Step, comment: str = "") -> None:
    """Reception: the code, the counting start (next working day after the cut-off or outside
    working hours), the appointment date and each step's due time (form 01 is printed from them)."""
    dossier, now = step.obj, step.now
    calendar = work_calendar(dossier)
    snapshot = dossier.procedure_version.snapshot
    cutoff = time.fromisoformat(snapshot["cutoff_time"]) if snapshot.get("cutoff_time") else None
    comment = clean_text(comment)
    # A dossier filed on the national portal keeps the code it was filed under (national.dvcqg).
    dossier.code = dossier.code or issue_code(
        agency=dossier.receiving_agency, day=timezone.localdate(now)
    )
    dossier.received_at = now
    basis, online = deadlines.counting_basis(dossier, now)
    dossier.counting_start = workcalendar.counting_start(
        basis, cutoff=cutoff, online=online, calendar=calendar
    )
    dossier.due_at = workcalendar.due_at(
        dossier.counting_start,
        Decimal(str(snapshot.get("processing_time") or 0)),
        snapshot.get("time_unit") or "working_days",
        calendar=calendar,
    )
    steps = snapshot.get("steps") or DEFAULT_STEPS
    dues = workcalendar.step_due_times(
        dossier.counting_start,
        dossier.due_at,
        [Decimal(str(s["share_percent"])) for s in steps],
        calendar=calendar,
    )
    dossier.steps.all().delete()
    created = DossierStep.objects.bulk_create(
        DossierStep(dossier=dossier, order=i, name=s["name"], role=s["role"], due_at=due)
        for i, (s, due) in enumerate(zip(steps, dues, strict=True), start=1)
    )
    first = created[0]
    first.started_at, first.assignee, first.department = now, step.actor, dossier.receiving_agency
    first.save(update_fields=["started_at", "assignee", "department"])
    dossier.current_step = first
    step.event.update(
        comment=comment,
        to_user=step.actor,
        to_agency=dossier.receiving_agency,
        data={
            "code": dossier.code,
            "due_at": dossier.due_at.isoformat(),
            "counting_start": dossier.counting_start.isoformat(),
        },
    )


def _clean_items(items: Any) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise DossierError(_("List the documents to supplement."))
    cleaned = []
    for item in items[:50]:
        if not isinstance(item, dict) or not str(item.get("document", "")).strip():
            raise DossierError(_("Each item needs a document name."))
        cleaned.append(
            {
                "document": clean_text(str(item["document"]))[:500],
                "reason": clean_text(str(item.get("reason", "")))[:1000],
            }
        )
    return cleaned


def request_supplement(step: Step, items: list[dict], reason: str, repeat_reason: str = "") -> None:
    """Form 02. Every request counts in ``supplement_cycles`` (Decision 766: more than one request
    counts the dossier as late), answered or not; a further request needs its ``repeat_reason``
    and is flagged (:func:`dossiers.deadlines.check_repeat_supplement`)."""
    dossier = step.obj
    reason = clean_text(reason, required=True)
    items = _clean_items(items)
    flagged = deadlines.check_repeat_supplement(dossier, repeat_reason)
    dossier.supplement_cycles += 1
    request = SupplementRequest.objects.create(
        dossier=dossier,
        requested_by=step.actor,
        items=items,
        reason=reason,
        during_processing=step.previous_status != DossierStatus.NEW,
        requested_at=step.now,
        flagged=flagged,
        repeat_reason=clean_text(repeat_reason) if flagged else "",
    )
    step.result = step.related = request
    step.event.update(comment=reason, data={"items": items})


def open_supplement_request(dossier: Dossier) -> SupplementRequest | None:
    """The supplement request the dossier waits on (the latest one not answered)."""
    return (
        SupplementRequest.objects.filter(dossier=dossier, answered_at__isnull=True)
        .order_by("-requested_at", "-pk")
        .first()
    )


def unanswered_items(dossier: Dossier, request: SupplementRequest) -> list[str]:
    """The items of ``request`` with no file in their slot yet (files added since the request,
    filed under the item's name by ``dossier_add_file(supplement_item=...)``)."""
    have = set(
        dossier.files.filter(is_supplement=True, uploaded_at__gte=request.requested_at).values_list(
            "document_name", flat=True
        )
    )
    return [
        str(item.get("document", ""))
        for item in request.items
        if str(item.get("document", ""))[:500] not in have
    ]


def answer_supplement(step: Step, comment: str = "") -> None:
    """The answer brings what was asked for: a file in the slot of every requested item (Decree
    61/2018 Art. 9 as carried into Decree 118/2025: the applicant supplements the items the
    request lists), else it is refused with the items' names and the request stays open."""
    comment = clean_text(comment)
    request = open_supplement_request(step.obj)
    missing = unanswered_items(step.obj, request) if request is not None else []
    if missing:
        raise DossierError(
            _("Add a file for each requested item before sending the answer: %(items)s.")
            % {"items": "; ".join(missing)},
            code="incomplete",
        )
    SupplementRequest.objects.filter(dossier=step.obj, answered_at__isnull=True).update(
        answered_at=step.now,
        answered_by=step.actor,
        answer_comment=comment,
    )
    step.event.update(comment=comment)


def refuse(step: Step, reason: str) -> None:
    """Form 03: the reason is required."""
    step.event.update(comment=clean_text(reason, required=True))


def assign(
    step: Step, department: Agency | None = None, assignee: Any = None, comment: str = ""
) -> None:
    """From reception the clerk (or leader) hands the dossier to a department of the agency,
    optionally straight to a specialist; in processing the department's leader (re)assigns."""
    dossier, now, actor = step.obj, step.now, step.actor
    from_unit, from_user = unit_of(dossier), dossier.assigned_to
    step_timeliness = ""
    if step.previous_status == DossierStatus.RECEIVED:
        if department is None:
            raise DossierError(_("Choose the handling department."), code="required")
        if not department.is_within(dossier.receiving_agency):
            raise DossierError(_("The department is not part of the receiving agency."))
        check_receiver(assignee, department, Role.SPECIALIST)
        dossier.handling_department = department
        dossier.assigned_to = assignee
        step_timeliness = advance_step(dossier, now, assignee=assignee, department=department)
    else:
        if assignee is None:
            raise DossierError(_("Choose the specialist."), code="required")
        if department is not None:
            if not department.is_within(from_unit.province()) or not acts_in_unit(
                actor, department, Role.LEADER
            ):
                raise DossierError(_("Cannot hand over to this unit."))
            dossier.handling_department = department
        check_receiver(assignee, unit_of(dossier), Role.SPECIALIST)
        dossier.assigned_to = assignee
        if dossier.current_step_id:
            DossierStep.objects.filter(pk=dossier.current_step_id).update(
                assignee=assignee, department=unit_of(dossier)
            )
    step.event.update(
        comment=clean_text(comment),
        from_user=from_user or actor,
        to_user=assignee,
        from_agency=from_unit,
        to_agency=unit_of(dossier),
        step_timeliness=step_timeliness,
    )


def forward(step: Step, leader: Any = None, comment: str = "") -> None:
    """The specialist has examined the dossier and drafted the result: to the leader."""
    dossier = step.obj
    check_receiver(leader, unit_of(dossier), Role.LEADER)
    step_timeliness = advance_step(dossier, step.now, assignee=leader, department=unit_of(dossier))
    dossier.assigned_to = leader
    step.event.update(
        comment=clean_text(comment),
        from_user=step.actor,
        to_user=leader,
        from_agency=unit_of(dossier),
        to_agency=unit_of(dossier),
        step_timeliness=step_timeliness,
    )


def send_back(step: Step, reason: str) -> None:
    """Back to the specialist who forwarded it (an internal note: not in the applicant's history)."""
    dossier = step.obj
    reason = clean_text(reason, required=True)
    last_forward = dossier.events.filter(action="forward").order_by("-seq").first()
    specialist = last_forward.actor if last_forward else None
    dossier.assigned_to = specialist
    step.event.update(comment=reason, from_user=step.actor, to_user=specialist)


def attach_draft(step: Step, uploaded_file: UploadedFile) -> None:
    """The specialist drafts the result (dự thảo kết quả) while examining, or the leader replaces
    it before approving. Staff-only until approval; the leader signs this file."""
    _read_pdf(uploaded_file)
    if uploaded_file.size and uploaded_file.size > MAX_RESULT_BYTES:
        raise DossierError(_("The file is too large (at most 20 MB)."), code="too_large")
    step.obj.result_sha256 = sha256_of(uploaded_file)  # issue 19: the history covers the file
    step.obj.result_file.save("du-thao-ket-qua.pdf", uploaded_file, save=False)
    step.event.update(data={"file": "draft_result", "size": uploaded_file.size or 0})


def approve(step: Step, comment: str = "", result_file: UploadedFile | None = None) -> None:
    """The dossier's early / on time / late is fixed here against its appointment date."""
    dossier, now = step.obj, step.now
    if result_file is not None:
        _read_pdf(result_file)
        dossier.result_sha256 = sha256_of(result_file)  # issue 19: the history row below names it
        dossier.result_file.save("ket-qua.pdf", result_file, save=False)
    step_timeliness = advance_step(dossier, now, department=dossier.receiving_agency)
    dossier.finished_at = now
    dossier.timeliness = timeliness_of(now, dossier.due_at)
    dossier.assigned_to = None
    step.event.update(
        comment=clean_text(comment),
        from_user=step.actor,
        from_agency=unit_of(dossier),
        to_agency=dossier.receiving_agency,
        step_timeliness=step_timeliness,
        data={
            "timeliness": dossier.timeliness,
            **({"result_sha256": dossier.result_sha256} if dossier.result_sha256 else {}),
        },
    )


def sign_approve(step: Step, session: Any, comment: str = "") -> None:
    """ "Ký số và phê duyệt": sign the draft result with the leader's open token session, store the
    signed document the QR code points at, then approve (:func:`approve`). Recorded as an approval."""
    from .signing_pdf import sign_draft

    signed = sign_draft(step.obj, step.actor, session)
    step.result = signed.document
    approve(step, comment=comment, result_file=signed.upload)


def request_payment(step: Step, amount: Decimal | None = None, reason: str = "") -> None:
    dossier = step.obj
    try:
        amount = dossier.fee_total if amount is None else Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise DossierError(_("The amount must be greater than 0."), code="invalid_amount") from None
    if amount is None or amount <= 0:
        raise DossierError(_("The amount must be greater than 0."), code="invalid_amount")
    dossier.fee_total = amount
    step.event.update(comment=clean_text(reason), data={"amount": str(amount)})


def confirm_payment(step: Step, reference: str = "", amount: Decimal | None = None) -> None:
    """The payment arrived (recorded by the clerk, or by the gateway's callback on behalf of the
    applicant); the clock resumes (the row), the appointment date moves by the time waited."""
    dossier = step.obj
    if amount is not None and Decimal(amount) != dossier.fee_total:
        raise DossierError(_("The amount does not match."), code="amount_mismatch")
    dossier.paid_at = step.now
    step.event.update(
        data={"reference": clean_text(reference)[:100], "amount": str(dossier.fee_total)}
    )


def return_result(step: Step, delivery: str | None = None, comment: str = "") -> None:
    """At the counter, by post, or online (the electronic result must then exist); without
    ``delivery``, the way the applicant registered at submission or intake (``dossiers.delivery``)."""
    dossier = step.obj
    delivery = return_method(dossier, delivery or None)
    if delivery not in ResultDelivery.values:
        raise DossierError(_("Invalid delivery method."))
    if delivery == ResultDelivery.ONLINE and not dossier.result_file:
        raise DossierError(_("There is no electronic result to return online."), code="no_result")
    comment = clean_text(comment)
    step_timeliness = close_step(dossier, step.now)
    dossier.returned_at = step.now
    dossier.result_delivery = delivery
    step.event.update(
        comment=comment,
        from_user=step.actor,
        from_agency=dossier.receiving_agency,
        step_timeliness=step_timeliness,
        data={"delivery": delivery},
    )


def _close(step: Step, reason: str, *, required: bool) -> None:
    reason = clean_text(reason, required=required)
    close_step(step.obj, step.now)
    step.obj.assigned_to = None
    step.event.update(comment=reason)


def withdraw(step: Step, reason: str = "") -> None:
    _close(step, reason, required=False)


def stop(step: Step, reason: str) -> None:
    """Form 05: the reason is required."""
    _close(step, reason, required=True)


def transfer(step: Step, to_agency: Agency, to_user: Any = None, comment: str = "") -> None:
    """Liên thông: recorded with giver and receiver; the receiving agency keeps the code."""
    dossier, now = step.obj, step.now
    from_unit = unit_of(dossier)
    if to_agency is None or not to_agency.is_active or to_agency.pk == from_unit.pk:
        raise DossierError(_("Invalid receiving agency."))
    if to_user is not None and not any(
        acts_in_unit(to_user, to_agency, r) for r in (Role.SPECIALIST, Role.LEADER, Role.CLERK)
    ):
        raise DossierError(
            _("The receiver does not work at the receiving agency."), code="invalid_receiver"
        )
    from_user = dossier.assigned_to
    received = step.previous_status == DossierStatus.RECEIVED
    step_timeliness = (
        advance_step(dossier, now, assignee=to_user, department=to_agency) if received else ""
    )
    dossier.handling_department = to_agency
    dossier.assigned_to = (
        to_user if to_user is not None and to_user.has_role(Role.SPECIALIST) else None
    )
    step.event.update(
        comment=clean_text(comment),
        from_user=from_user or step.actor,
        to_user=to_user,
        from_agency=from_unit,
        to_agency=to_agency,
        step_timeliness=step_timeliness,
    )


def rate(step: Step, rating: str, comment: str = "") -> None:
    """Once after the return: satisfied / acceptable / not satisfied."""
    dossier = step.obj
    if rating not in Rating.values:
        raise DossierError(_("Invalid rating."))
    dossier.rating = rating
    dossier.rating_comment = clean_text(comment)
    dossier.rated_at = step.now
    step.event.update(data={"rating": rating}, comment=dossier.rating_comment)


def _new_due(dossier: Dossier, new_due_at: datetime | None, now: datetime) -> datetime:
    """The extended date, checked against the rule (:func:`dossiers.deadlines.check_extension`)."""
    deadlines.check_extension(dossier, new_due_at, now)
    assert new_due_at is not None  # check_extension refuses a missing date
    return new_due_at


def apologise(
    step: Step,
    reason: str | None = None,
    new_due_at: datetime | None = None,
    apology: Apology | None = None,
) -> None:
    """Form 04: a late dossier's apology with a new appointment date, sent to the applicant —
    written now, or a draft of the deadline scan that a leader approves (and may edit). The legal
    appointment date stays (the dossier still counts as late); the new one is ``rescheduled_due_at``."""
    dossier, now, actor = step.obj, step.now, step.actor
    if apology is None:
        reason = clean_text(reason, required=True)
        new_due_at = _new_due(dossier, new_due_at, now)
        approver = actor if actor.has_role(Role.LEADER) else None
        apology = Apology.objects.create(
            dossier=dossier,
            reason=reason,
            new_due_at=new_due_at,
            created_by=actor,
            approved_by=approver,
            sent_at=now,
        )
        data = {"new_due_at": new_due_at.isoformat()}
    else:
        apology = Apology.objects.select_for_update().get(pk=apology.pk, dossier=dossier)
        if not actor.has_role(Role.LEADER):
            raise PermissionDenied(_("Only a leader may approve an apology."))
        if apology.sent_at is not None:
            raise DossierError(_("This apology has already been sent."), code="already_sent")
        reason = clean_text(reason if reason is not None else apology.reason, required=True)
        new_due_at = _new_due(dossier, new_due_at or apology.new_due_at, now)
        apology.reason, apology.new_due_at, apology.approved_by, apology.sent_at = (
            reason,
            new_due_at,
            actor,
            now,
        )
        apology.save(update_fields=["reason", "new_due_at", "approved_by", "sent_at"])
        data = {"new_due_at": new_due_at.isoformat(), "apology": apology.pk}
    dossier.rescheduled_due_at = new_due_at
    step.result = step.related = apology
    step.event.update(comment=reason, data=data)


def issue_result(step: Step, session: Any, number: str, issued_on: datetime) -> None:
    """The văn thư's issuing signature (Decree 30/2020: second, with number and date) on the field
    created before the leader signed; recorded in the history (form 06)."""
    from .signing_pdf import issue_signed

    document, signed = issue_signed(
        step.obj, step.actor, session, number=number, issued_on=issued_on
    )
    step.obj.result_sha256 = sha256_of(signed)
    step.obj.result_file.save("ket-qua.pdf", ContentFile(signed), save=False)
    step.result = document
    step.event.update(
        comment=f"Số {number}",
        from_user=step.actor,
        from_agency=step.obj.receiving_agency,
        to_agency=step.obj.receiving_agency,
        data={
            "number": number,
            "issued_on": issued_on.date().isoformat()
            if hasattr(issued_on, "date")
            else str(issued_on),
        },
    )
