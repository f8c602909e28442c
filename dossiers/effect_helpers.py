"""What the workflow's effects share (:mod:`dossiers.effects`): the working calendar, the row lock,
the text and file checks, the step clock (Decree 118/2025: each step gets its share of the time;
time waiting for the applicant does not count) and the reception checks. Split from
:mod:`dossiers.effects` (issue 16), which re-exports every name here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from portal.agencies.models import Agency
from portal.workcalendar import services as workcalendar

from .access import acts_in_unit
from .constants import (
    DossierStatus,
    Stage,
    Timeliness,
)
from .exceptions import DossierError
from .models import Dossier

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


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
    # Timeliness.__members__[name] is Timeliness[name]; mypy reads a subscripted alias as a type
    return Timeliness.__members__[getattr(result, "name", str(result)).upper()].value


def lock(dossier: Dossier | int) -> Dossier:
    """The dossier's row, locked (only its own row), with its receiving agency: the access check
    of nearly every transition (the counter's scope, the unit) and its history row read it."""
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("receiving_agency")
        .get(pk=pk)
    )


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
            if step.due_at is None:  # excluded by the filter; said again for the type checker
                continue
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


def check_receiver(user: Actor | None, unit: Agency, role: str) -> None:
    if user is not None and not acts_in_unit(user, unit, role):
        raise DossierError(
            _("The receiver does not work in the handling unit or lacks the role."),
            code="invalid_receiver",
        )


def examination_if_assigned(dossier: Dossier) -> str:
    """The stage after a hand-over: examination when a specialist holds it, else assignment."""
    return Stage.EXAMINATION if dossier.assigned_to_id else Stage.ASSIGNMENT
