"""Signing a dossier's result from the approval queue (issue 5), and the clerical office's issuing
signature (Decree 30/2020/NĐ-CP: the leader signs, then the văn thư issues with number and date).

The result PDF is the draft the specialist attached (:func:`dossier_attach_draft_result`) or the
one attached at approval. Signing it and approving the dossier (status 9) commit together with the
signature's audit event and the :class:`signatures.models.SignedDocument` the QR code points at;
a wrong PIN or a dossier that cannot be approved changes nothing.

Both signature fields are created before the leader's signature: a field added after a signature
is a change the earlier signature would flag (docs/tech-facts.md "Signatures").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from signatures import services as signing
from signatures.constants import PadesLevel
from signatures.models import SignedDocument

from . import workflow
from .constants import Action, DossierStatus
from .exceptions import DossierError, PermissionDenied, TransitionNotAllowed
from .models import Dossier
from .signing_pdf import (  # the PDF work of the SIGN_APPROVE and ISSUE_RESULT rows
    ISSUING_BOX as ISSUING_BOX,
)
from .signing_pdf import ISSUING_FIELD as ISSUING_FIELD
from .signing_pdf import LEADER_BOX as LEADER_BOX
from .signing_pdf import LEADER_FIELD as LEADER_FIELD
from .signing_pdf import SignedDraft as SignedDraft
from .signing_pdf import issue_signed as issue_signed
from .signing_pdf import sign_draft as sign_draft

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


#: Signing runs in the request: 20 results at B-LT (~0.3–1 s each) stay well inside gunicorn's
#: 60 s worker timeout (docker-compose.yml). Larger batches need a worker-side job.
MAX_BATCH = 20


@dataclass
class SignOutcome:
    """One dossier of a sign-and-approve batch, shown to the leader (``name``, ``document``, ``error``
    are what the signatures results list renders)."""

    dossier: Dossier
    document: SignedDocument | None = None
    error: str = ""

    @property
    def name(self) -> str:
        return f"{self.dossier} — {self.dossier.applicant_name}"

    @property
    def ok(self) -> bool:
        return self.document is not None


def signed_result_of(dossier: Dossier) -> SignedDocument | None:
    """The signed result of the dossier (its latest signed document), if any."""
    return dossier.signed_results.exclude(file="").order_by("-created_at").first()


# --- the specialist's draft result ------------------------------------------------------------


def may_attach_draft(dossier: Dossier, actor: Actor) -> bool:
    """The examining specialist, or the leader who approves, may attach the draft result (the
    ATTACH_DRAFT rows of the workflow table)."""
    return workflow.DOSSIER.row_for(dossier, actor, Action.ATTACH_DRAFT) is not None


def dossier_attach_draft_result(
    *, dossier: Dossier, actor: Actor, uploaded_file: UploadedFile
) -> Dossier:
    """The specialist drafts the result (dự thảo kết quả) while examining, or the leader replaces
    it before approving. It stays staff-only until approval; the leader signs this file. Written
    to the history as an internal row."""
    try:
        return cast(
            "Dossier",
            workflow.run(
                Action.ATTACH_DRAFT, dossier=dossier, actor=actor, uploaded_file=uploaded_file
            ),
        )
    except TransitionNotAllowed:
        raise PermissionDenied(
            _("Only the examining specialist or the approving leader may attach the draft result.")
        ) from None


# --- the leader signs and approves -------------------------------------------------------------


def _sign_and_approve_one(
    *, session: signing.SigningSession, dossier: Dossier, actor: Actor, comment: str
) -> SignOutcome:
    """One dossier, one transaction (the engine's): lock, check, sign the draft, store, approve."""
    document = workflow.run(
        Action.SIGN_APPROVE, dossier=dossier, actor=actor, session=session, comment=comment
    )
    return SignOutcome(dossier=document.dossier, document=document)


def dossiers_sign_and_approve_batch(
    *,
    dossiers: Sequence[Dossier],
    actor: Actor,
    pin: str,
    comment: str = "",
    level: str = PadesLevel.B_T,
    progress: Callable[[int, int, SignOutcome], None] | None = None,
) -> list[SignOutcome]:
    """ "Ký số và phê duyệt": the leader signs the draft results of several dossiers after one PIN
    entry and approves each. Each dossier commits on its own (its signature, audit event, signed
    document and status 9 together); one that cannot be signed or approved is reported and left
    unchanged. A wrong PIN raises :class:`DossierError` before anything changes.

    Not to be called inside an outer transaction: a failure's audit event would roll back with it.
    """
    outcomes: list[SignOutcome] = []
    steps = iter_sign_and_approve(
        dossiers=dossiers, actor=actor, pin=pin, comment=comment, level=level
    )
    for index, outcome in enumerate(steps, start=1):
        outcomes.append(outcome)
        if progress is not None:
            progress(index, len(dossiers), outcome)
    return outcomes


def iter_sign_and_approve(
    *,
    dossiers: Sequence[Dossier],
    actor: Actor,
    pin: str,
    comment: str = "",
    level: str = PadesLevel.B_T,
) -> Iterator[SignOutcome]:
    """The batch as an iterator of outcomes, one per dossier as soon as it is committed (the page
    streams them as progress). The checks run now; the PIN is tried at the first ``next()``, which
    raises :class:`DossierError` for a wrong one. Closing the iterator early closes the token
    session; dossiers not reached are left unchanged."""
    dossiers = list(dossiers)
    if not dossiers:
        raise DossierError(_("No dossier selected."), code="empty_batch")
    if len(dossiers) > MAX_BATCH:
        raise DossierError(
            _("At most %(max)d dossiers per batch.") % {"max": MAX_BATCH}, code="batch_too_large"
        )
    for dossier in dossiers:  # a wrong role is a 403 for the whole request, before the PIN is used
        try:
            workflow.check_transition(dossier, actor, Action.APPROVE)
        except TransitionNotAllowed:
            pass  # reported for this dossier below
    if not (pin or "").strip():
        raise DossierError(_("Enter the PIN of your signing token."), code="pin_required")
    return _signing_loop(dossiers=dossiers, actor=actor, pin=pin, comment=comment, level=level)


def _signing_loop(
    *, dossiers: list[Dossier], actor: Actor, pin: str, comment: str, level: str
) -> Iterator[SignOutcome]:
    try:
        session_cm = signing.signing_session(signer_user=actor, pin=pin, level=level)
        session = session_cm.__enter__()
    except signing.SigningError as exc:
        raise DossierError(_signing_message(exc), code="signing_failed") from exc
    try:
        for dossier in dossiers:
            try:
                outcome = _sign_and_approve_one(
                    session=session, dossier=dossier, actor=actor, comment=comment
                )
            except (DossierError, PermissionDenied) as exc:
                outcome = SignOutcome(dossier=dossier, error=exc.message)
            except signing.SigningError as exc:
                signing.audit_signing_failure(certificate=session.cert, actor=actor, error=exc)
                outcome = SignOutcome(dossier=dossier, error=str(exc))
            yield outcome
    finally:
        session_cm.__exit__(None, None, None)


def _signing_message(exc: Exception) -> str:
    """The signatures app's message (in the active language) after a lead-in."""
    return _("Signing failed: %(reason)s") % {"reason": exc}


def dossier_sign_and_approve(
    *, dossier: Dossier, actor: Actor, pin: str, comment: str = "", level: str = PadesLevel.B_T
) -> Dossier:
    """Sign one dossier's draft result and approve it (see :func:`dossiers_sign_and_approve_batch`)."""
    outcome = dossiers_sign_and_approve_batch(
        dossiers=[dossier], actor=actor, pin=pin, comment=comment, level=level
    )[0]
    if not outcome.ok:
        raise DossierError(outcome.error)
    return outcome.dossier


# --- the clerical office issues ------------------------------------------------------------------


def may_issue(dossier: Dossier, actor: Actor) -> bool:
    """The receiving agency's clerical office issues a processed dossier's signed result once
    (the ISSUE_RESULT row of the workflow table)."""
    return workflow.DOSSIER.row_for(dossier, actor, Action.ISSUE_RESULT) is not None


def results_to_issue(user: Actor) -> Any:
    """Processed dossiers of the clerical officer's agencies whose result the leader signed and
    the clerical office has not issued yet (văn thư's list)."""
    from .selectors import dossiers_visible_to

    if not getattr(user, "is_staff_member", False) or not user.has_role(Role.CLERICAL):
        return Dossier.objects.none()
    signed = SignedDocument.objects.exclude(file="").filter(issue_number="")
    return (
        dossiers_visible_to(user)
        .filter(status=DossierStatus.PROCESSED, signed_results__in=signed)
        .distinct()
        .order_by("finished_at", "pk")
    )


def dossier_issue_result(
    *, dossier: Dossier, actor: Actor, pin: str, number: str, issued_on: datetime | None = None
) -> SignedDocument:
    """The văn thư's issuing signature (second, in order) with the number and date of issue, on
    the field created before the leader signed. The QR code's address does not change: the
    verification page shows both signatures, the applicant downloads the doubly-signed PDF. The
    issue is a history row (form 06)."""
    number = (number or "").strip()
    if not number or len(number) > 60:
        raise DossierError(
            _("Enter the document number (at most 60 characters)."), code="invalid_number"
        )
    if not may_issue(dossier, actor):
        raise PermissionDenied(
            _("Only the receiving agency's clerical office may issue the result.")
        )
    issued_on = issued_on or timezone.localtime()
    try:
        with signing.signing_session(signer_user=actor, pin=pin) as session:
            return cast(
                "SignedDocument",
                workflow.run(
                    Action.ISSUE_RESULT,
                    dossier=dossier,
                    actor=actor,
                    session=session,
                    number=number,
                    issued_on=issued_on,
                ),
            )
    except signing.SigningError as exc:
        raise DossierError(_signing_message(exc), code="signing_failed") from exc


__all__ = [
    "SignOutcome",
    "dossier_attach_draft_result",
    "dossier_issue_result",
    "dossier_sign_and_approve",
    "dossiers_sign_and_approve_batch",
    "iter_sign_and_approve",
    "may_attach_draft",
    "may_issue",
    "results_to_issue",
    "signed_result_of",
]
