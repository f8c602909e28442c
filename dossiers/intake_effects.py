"""The workflow's effects at the one-stop counter (:mod:`dossiers.effects`): submission, reception,
the request for supplements and its answer, the refusal (Decree 118/2025). Split
from :mod:`dossiers.effects` (issue 16), which re-exports every name here.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.selectors import can_submit_dossiers
from portal.workcalendar import services as workcalendar
from portal.workflow import Step

from . import deadlines
from .codes import issue_code
from .constants import (
    DEFAULT_STEPS,
    DossierStatus,
)
from .effect_helpers import (
    check_form_data,
    clean_text,
    missing_documents,
    work_calendar,
)
from .exceptions import DossierError, PermissionDenied
from .models import Dossier, DossierStep, SupplementRequest


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
    created = [
        DossierStep(dossier=dossier, order=i, name=s["name"], role=s["role"], due_at=due)
        for i, (s, due) in enumerate(zip(steps, dues, strict=True), start=1)
    ]
    # the first step (reception) starts now, at the clerk's counter: inserted so, not updated after
    first = created[0]
    first.started_at, first.assignee, first.department = now, step.actor, dossier.receiving_agency
    DossierStep.objects.bulk_create(created)
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
