"""The input each workflow row takes (``Row.input``), and the one dispatcher pages and API use.

Each input name is declared once, as its page form; the API serializer is derived from the form
(:func:`portal.workflow.inputs.serializer_from_form`: same names, requiredness, lengths, choices).
Four inputs keep a serializer of their own because their wire shape differs on purpose: the
supplement items are a JSON list (lines of text on the page), and staff and agencies are ids or
codes (a choice list on the page). Both shapes produce the same keyword arguments, which go
unchanged to :func:`dispatch` and from there to the row's effect (``workflow.run``) or, for the
few actions whose entry point does more than the transition (opening the signing token, recording
a counter payment), to that service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from portal.workflow.inputs import serializer_from_form

from . import forms, signing_forms, workflow
from . import wire as s
from .constants import Action
from .exceptions import PermissionDenied
from .models import Dossier

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


@dataclass(frozen=True)
class Input:
    form: type
    own_serializer: type | None = None  # only where the API's wire shape differs from the form's
    needs_dossier: bool = False  # the form's choices depend on the dossier (units, staff)
    takes_nothing: bool = False

    @cached_property
    def serializer(self) -> type | None:
        if self.takes_nothing:
            return None
        return self.own_serializer or serializer_from_form(self.form)


INPUTS: dict[str | None, Input] = {
    None: Input(forms.NoInputForm, takes_nothing=True),
    "comment": Input(forms.CommentForm),
    "reason": Input(forms.ReasonForm),
    "optional_reason": Input(forms.OptionalReasonForm),
    "supplement_request": Input(forms.SupplementRequestForm, s.SupplementRequestInputSerializer),
    "assign": Input(forms.AssignForm, s.AssignInputSerializer, needs_dossier=True),
    "forward": Input(forms.ForwardForm, s.ForwardInputSerializer, needs_dossier=True),
    "transfer": Input(forms.TransferForm, s.TransferInputSerializer, needs_dossier=True),
    "approve": Input(forms.ApproveForm),
    "payment_request": Input(forms.PaymentRequestForm),
    "payment_confirmation": Input(forms.CounterPaymentForm),
    "return": Input(forms.ReturnForm),
    "rate": Input(forms.RateForm),
    "apology": Input(forms.ApologyForm),
    "sign": Input(signing_forms.SignApproveForm),
    "issue": Input(signing_forms.IssueForm),
    "draft_result": Input(signing_forms.DraftResultForm),
}


def input_of(action: str) -> Input:
    """The input declaration of ``action`` (every row of one action takes the same input)."""
    return INPUTS[workflow.DOSSIER.rows_of(action)[0].input]


def page_form(
    action: str, dossier: Dossier, data: Any = None, files: Any = None, *, prefix: str | None = None
) -> Any:
    spec = input_of(action)
    kwargs = {"dossier": dossier} if spec.needs_dossier else {}
    form = spec.form(data, files, prefix=prefix or action, **kwargs)
    if action in (Action.REQUEST_PAYMENT, Action.CONFIRM_PAYMENT) and data is None:
        form.initial["amount"] = dossier.fee_total or None
    if (
        action == Action.RETURN_RESULT and data is None
    ):  # the way the applicant registered (form 01 item 6)
        form.initial["delivery"] = dossier.registered_delivery
    return form


def _sign(*, dossier: Dossier, actor: Actor, **data: Any) -> Any:
    from .result_signing import dossier_sign_and_approve

    return dossier_sign_and_approve(dossier=dossier, actor=actor, **data)


def _issue(*, dossier: Dossier, actor: Actor, **data: Any) -> Any:
    from .result_signing import dossier_issue_result

    return dossier_issue_result(dossier=dossier, actor=actor, **data)


def _draft(*, dossier: Dossier, actor: Actor, file: Any) -> Any:
    from .result_signing import dossier_attach_draft_result

    return dossier_attach_draft_result(dossier=dossier, actor=actor, uploaded_file=file)


def _counter_payment(*, dossier: Dossier, actor: Actor, amount: Any, note: str = "") -> Any:
    from .payments.services import payment_record_at_counter

    return payment_record_at_counter(dossier=dossier, actor=actor, amount=amount, note=note)


#: Actions whose entry point is a service around the transition (token session, payment row).
ENTRY: dict[str, Callable[..., Any]] = {
    Action.SIGN_APPROVE: _sign,
    Action.ISSUE_RESULT: _issue,
    Action.ATTACH_DRAFT: _draft,
    Action.CONFIRM_PAYMENT: _counter_payment,
}


def check_entry(action: str, actor: Actor) -> None:
    """Refusals of the entry point that come before reading the input: the applicant may confirm a
    payment only by paying online (``payments:start``); the counter entry is for staff."""
    if action == Action.CONFIRM_PAYMENT and not getattr(actor, "is_staff_member", False):
        raise PermissionDenied(
            _("Applicants pay online; counter payments are recorded by the clerk.")
        )


def dispatch(action: str, *, dossier: Dossier, actor: Actor, data: dict) -> Any:
    """Run ``action`` with the cleaned input of its form or serializer: the pages' and the API's
    one dispatcher (replaces a branch per action)."""
    entry = ENTRY.get(action)
    if entry is not None:
        return entry(dossier=dossier, actor=actor, **data)
    return workflow.run(action, dossier=dossier, actor=actor, **data)
