"""The workflow's effects while the dossier is handled (:mod:`dossiers.effects`): assignment, the
draft result, forwarding, sending back, approval, the fee. Split from :mod:`dossiers.effects`
(issue 16), which re-exports every name here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.agencies.models import Agency
from portal.core.filehash import sha256_of
from portal.workflow import Step

from .access import acts_in_unit, unit_of
from .constants import (
    DossierStatus,
)
from .effect_helpers import (
    MAX_RESULT_BYTES,
    advance_step,
    check_receiver,
    clean_text,
    sniff,
    timeliness_of,
)
from .exceptions import DossierError
from .models import DossierStep

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


def _read_pdf(upload: UploadedFile) -> None:
    head = upload.read(16)
    upload.seek(0)
    if sniff(head) != "application/pdf":
        raise DossierError(_("The result must be a PDF file."), code="not_pdf")


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


def forward(step: Step, leader: Actor | None = None, comment: str = "") -> None:
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
