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

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.selectors import can_submit_dossiers
from portal.agencies.models import Agency
from portal.core.text import nfc
from procedures import fees
from procedures.constants import PublicationState
from procedures.models import Procedure
from procedures.selectors import implementing_agencies
from procedures.services import procedure_current_version

from . import delivery as _delivery
from . import effects, workflow
from .codes import issue_code
from .constants import Action, Channel, DossierStatus, Stage
from .dossier_files import (  # re-exported: split by job (issue 16)
    dossier_add_file,
    dossier_remove_file,
    dossier_reuse_file,
    may_attach_files,
    supplement_slot,
)
from .exceptions import DossierError, PermissionDenied, TransitionNotAllowed
from .history import append_event
from .models import Dossier, DossierFile
from .transition_services import (  # re-exported: split by job (issue 16)
    DRAFT_APOLOGY_REASON,
    dossier_answer_supplement,
    dossier_approve,
    dossier_approve_apology,
    dossier_assign,
    dossier_confirm_payment,
    dossier_draft_apology,
    dossier_forward_for_approval,
    dossier_rate,
    dossier_receive,
    dossier_record_apology,
    dossier_refuse,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_return_result,
    dossier_send_back,
    dossier_stop,
    dossier_transfer,
    dossier_withdraw,
    dossiers_bulk_assign,
)

if TYPE_CHECKING:
    from portal.accounts.typed import Actor

#: The public surface: the module's own services and those split out by job (issue 16).
__all__ = [
    "DossierError",
    "PermissionDenied",
    "TransitionNotAllowed",
    "apply_fee_choice",
    "counter_checklist",
    "dossier_create_at_counter",
    "dossier_delete_draft",
    "dossier_save_draft",
    "dossier_submit",
    "dossier_add_file",
    "dossier_remove_file",
    "dossier_reuse_file",
    "may_attach_files",
    "supplement_slot",
    "DRAFT_APOLOGY_REASON",
    "dossier_answer_supplement",
    "dossier_approve",
    "dossier_approve_apology",
    "dossier_assign",
    "dossier_confirm_payment",
    "dossier_draft_apology",
    "dossier_forward_for_approval",
    "dossier_rate",
    "dossier_receive",
    "dossier_record_apology",
    "dossier_refuse",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_stop",
    "dossier_transfer",
    "dossier_withdraw",
    "dossiers_bulk_assign",
]


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


def _fee_total(snapshot: dict[str, Any]) -> Decimal:
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
    actor: Actor,
    procedure: Procedure | None = None,
    agency: Agency | None = None,
    form_data: dict[str, Any] | None = None,
    dossier: Dossier | None = None,
    applicant: dict[str, Any] | None = None,
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
def dossier_delete_draft(*, dossier: Dossier, actor: Actor) -> None:
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

    def delete_unshared_files() -> None:
        for n in names:
            if not DossierFile.objects.filter(file=n).exists():
                storage.delete(n)

    transaction.on_commit(delete_unshared_files)


def _apply_applicant(dossier: Dossier, applicant: dict[str, Any] | None) -> None:
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


def dossier_submit(*, dossier: Dossier, actor: Actor) -> Dossier:
    """Submit an online draft: status 1 (Mới đăng ký). Every required document must be attached
    and the procedure's required fields filled."""
    return cast("Dossier", workflow.run(Action.SUBMIT, dossier=dossier, actor=actor))


@transaction.atomic
def dossier_create_at_counter(
    *,
    actor: Actor,
    procedure: Procedure,
    applicant: dict[str, Any],
    agency: Agency | None = None,
    channel: int = Channel.IN_PERSON,
    form_data: dict[str, Any] | None = None,
    applicant_user: Actor | None = None,
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


def counter_checklist(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
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


def _check_counter_papers(
    snapshot: dict[str, Any], papers: dict[int | None, list[UploadedFile]]
) -> None:
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


_may_attach = may_attach_files  # kept for callers written before the public name


# --- signing the result (issue 5): the leader's "Ký số và phê duyệt", the văn thư's issuing ------
# The services live in dossiers/result_signing.py (they need the signatures app); re-exported here
# so pages, API and tasks find every dossier write in one place.
from .result_signing import (  # noqa: E402
    dossier_attach_draft_result as dossier_attach_draft_result,
)
from .result_signing import dossier_issue_result as dossier_issue_result  # noqa: E402
from .result_signing import dossier_sign_and_approve as dossier_sign_and_approve  # noqa: E402
from .result_signing import dossiers_sign_and_approve_batch as dossiers_sign_and_approve_batch  # noqa: E402
