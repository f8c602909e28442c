"""The workflow's effects that end or move the dossier (:mod:`dossiers.effects`): returning the
result, withdrawal, stopping, inter-agency transfer, the rating, the apology and new due date,
the issued result. Split from :mod:`dossiers.effects` (issue 16), which re-exports every name here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.agencies.models import Agency
from portal.core.filehash import sha256_of
from portal.workflow import Step

from . import deadlines
from .access import acts_in_unit, unit_of
from .constants import (
    DossierStatus,
    Rating,
    ResultDelivery,
)
from .delivery import return_method
from .effect_helpers import (
    advance_step,
    clean_text,
    close_step,
)
from .exceptions import DossierError, PermissionDenied
from .models import Apology, Dossier

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


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


def transfer(
    step: Step, to_agency: Agency, to_user: Actor | None = None, comment: str = ""
) -> None:
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
        data: dict[str, Any] = {"new_due_at": new_due_at.isoformat()}
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
