"""Every write of the payments app. A paid payment, its receipt number and the dossier's resumption
(``dossiers.services.dossier_confirm_payment``: status 6 → back to where it was, the clock runs
again) commit together in one transaction.

The gateway's notification (IPN) may arrive many times and concurrently: the payment row is
locked (``select_for_update``) and a payment already settled answers "already confirmed", so a
repeated callback never pays or resumes twice; the gateway's transaction number is unique.

Money that arrives is always recorded (issue 13: a payment completed after its obligation changed
made the IPN fail with a 500 on every retry, so the money was taken and never recorded). When it
does not settle the obligation as it now stands, it settles what it can and a
:class:`~dossiers.payments.models.PaymentCase` goes to the clerks' queue: a refund (the dossier no
longer awaited payment, or more was paid than is due) or a top-up (less than is due). The IPN
answers in the gateway's protocol whatever happens ("99" on an unexpected error, so the gateway
retries). A second payment is refused while one is pending (``PAYMENT_PENDING_TIMEOUT``) or the
obligation is paid.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers import workflow
from dossiers.constants import Action, DossierStatus
from dossiers.exceptions import DossierError, PermissionDenied
from dossiers.models import Dossier
from dossiers.services import dossier_confirm_payment
from portal.accounts.constants import Role
from portal.core.counters import next_value

from . import gateway
from .constants import GATEWAY_SUCCESS, CaseKind, CaseStatus, IpnCode, PaymentMethod, PaymentStatus
from .models import Payment, PaymentCase, ReceiptCounter

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.accounts.typed import Actor

log = logging.getLogger(__name__)


class PaymentError(DossierError):
    """Bad input for a payment: nothing was changed."""


#: What the payment row and the clerks' case queue record (stored text, so written once, in the
#: portal's language: :func:`stored_text`).
NOTE_REFUND_NEEDED = gettext_lazy("Dossier no longer awaiting payment: refund needed.")
CASE_NOT_AWAITING = gettext_lazy("The dossier no longer awaited payment when the money arrived.")
CASE_LESS_PAID = gettext_lazy("Less was paid than is due (the obligation changed).")
CASE_MORE_PAID = gettext_lazy("More was paid than is due (the obligation changed).")
CASE_NOT_APPLIED = gettext_lazy("Could not be applied to the dossier: %(error)s")
CASE_PAID_IN_FULL = gettext_lazy("Paid in full (%(reference)s)")


def stored_text(message: Any, **params: Any) -> str:
    """A stored note in the portal's language (settings.LANGUAGE_CODE, Vietnamese), whatever the
    language of the request that wrote it (the gateway's IPN has none)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        return text % params if params else text


@dataclass(frozen=True)
class CallbackOutcome:
    code: IpnCode
    payment: Payment | None = None

    @property
    def as_ipn(self) -> dict[str, str]:
        return {"RspCode": self.code.value, "Message": self.code.label}


def _issue_receipt_number(now: Any) -> str:
    """Receipt numbers per year, without gaps: ``BL2026-0000001`` (counter row locked)."""
    year = timezone.localtime(now).year
    return f"BL{year}-{next_value(ReceiptCounter, year=year):07d}"


def _new_reference(dossier: Dossier) -> str:
    return f"HS{dossier.pk}-{secrets.token_hex(5).upper()}"


def _lock_dossier(dossier: Dossier | int) -> Dossier:
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("receiving_agency", "handling_department")
        .get(pk=pk)
    )


def online_payment_available() -> bool:
    """Online payment needs the gateway's shared secret; without it (a production deployment that
    forgot PAYMENT_HMAC_SECRET) it is switched off, never half-started."""
    return bool(settings.PAYMENT_HMAC_SECRET)


def amount_due(dossier: Dossier) -> Decimal:
    """What the applicant still owes on the current obligation: the fee less the payments already
    counted towards it (open top-up cases)."""
    if dossier.status != DossierStatus.FINANCIAL_OBLIGATION:
        return Decimal(0)
    paid = PaymentCase.objects.filter(
        dossier=dossier, kind=CaseKind.TOP_UP, status=CaseStatus.OPEN
    ).aggregate(s=Sum("payment__amount"))["s"]
    return max(Decimal(dossier.fee_total) - (paid or 0), Decimal(0))


def _pending_payment(dossier: Dossier) -> Payment | None:
    since = timezone.now() - timedelta(seconds=settings.PAYMENT_PENDING_TIMEOUT)
    return Payment.objects.filter(
        dossier=dossier,
        status=PaymentStatus.PENDING,
        method=PaymentMethod.ONLINE,
        created_at__gt=since,
    ).first()


@transaction.atomic
def payment_start(*, dossier: Dossier, actor: User) -> Payment:
    """The applicant starts paying a dossier's fees online (the dossier is in status 6)."""
    dossier = _lock_dossier(dossier)
    workflow.check_transition(dossier, actor, Action.CONFIRM_PAYMENT)
    if not workflow.actor_matches(dossier, actor, workflow.APPLICANT, workflow.OWNER):
        raise PermissionDenied(_("Only the applicant can pay online."))
    if not online_payment_available():
        raise PaymentError(
            _(
                "Online payment is not available at the moment. Please pay at the one-stop counter, or try again later."
            )
        )
    if dossier.fee_total <= 0:
        raise PaymentError(_("The dossier has no fee to pay."), code="no_fee")
    if _pending_payment(dossier) is not None:
        raise PaymentError(
            _(
                "A payment of this dossier is already in progress. Finish it in the payment window, or try again in %(minutes)d minutes."
            )
            % {"minutes": max(1, settings.PAYMENT_PENDING_TIMEOUT // 60)}
        )
    due = amount_due(dossier)
    if due <= 0:
        raise PaymentError(_("The fees of this dossier are already paid."))
    return Payment.objects.create(
        dossier=dossier,
        reference=_new_reference(dossier),
        amount=due,
        method=PaymentMethod.ONLINE,
        created_by=actor,
    )


def _open_case(
    payment: Payment, *, kind: str, amount: Decimal, due: Decimal, reason: str
) -> PaymentCase:
    log.warning(
        "payment.case_opened",
        extra={
            "payment": payment.pk,
            "dossier": payment.dossier_id,
            "kind": kind,
            "amount": str(amount),
        },
    )
    return PaymentCase.objects.create(
        payment=payment,
        dossier_id=payment.dossier_id,
        kind=kind,
        amount=amount,
        amount_due=due,
        reason=reason[:255],
    )


def _settle(payment: Payment, *, actor: Actor, now: Any) -> None:
    """Record the money (paid, with its receipt) and apply it to the obligation as it now stands."""
    payment.status = PaymentStatus.PAID
    payment.paid_at = now
    payment.receipt_number = _issue_receipt_number(now)
    dossier = payment.dossier
    due = amount_due(dossier)
    if dossier.status != DossierStatus.FINANCIAL_OBLIGATION:
        payment.note = stored_text(NOTE_REFUND_NEEDED)
        payment.save()
        _open_case(
            payment,
            kind=CaseKind.REFUND,
            amount=payment.amount,
            due=Decimal(0),
            reason=stored_text(CASE_NOT_AWAITING),
        )
        return
    payment.save()
    if payment.amount < due:
        _open_case(
            payment,
            kind=CaseKind.TOP_UP,
            amount=due - payment.amount,
            due=due,
            reason=stored_text(CASE_LESS_PAID),
        )
        return
    try:
        with transaction.atomic():
            dossier_confirm_payment(dossier=dossier, actor=actor, reference=payment.reference)
    except (DossierError, PermissionDenied) as exc:
        _open_case(
            payment,
            kind=CaseKind.REFUND,
            amount=payment.amount,
            due=due,
            reason=stored_text(CASE_NOT_APPLIED, error=exc.message),
        )
        return
    PaymentCase.objects.filter(
        dossier=dossier, kind=CaseKind.TOP_UP, status=CaseStatus.OPEN
    ).update(
        status=CaseStatus.RESOLVED,
        resolved_at=now,
        resolution=stored_text(CASE_PAID_IN_FULL, reference=payment.reference),
    )
    if payment.amount > due:
        _open_case(
            payment,
            kind=CaseKind.REFUND,
            amount=payment.amount - due,
            due=due,
            reason=stored_text(CASE_MORE_PAID),
        )


@transaction.atomic
def payment_case_resolve(*, case: PaymentCase, actor: User, resolution: str) -> PaymentCase:
    """A one-stop clerk of the dossier's agency closes a refund or top-up case (refunded, topped up)."""
    case = PaymentCase.objects.select_for_update().select_related("dossier").get(pk=case.pk)
    if not getattr(actor, "is_staff_member", False) or not workflow.actor_matches(
        case.dossier, actor, Role.CLERK, workflow.RECEIVING
    ):
        raise PermissionDenied()
    if case.status != CaseStatus.OPEN:
        raise PaymentError(_("This case is already resolved."))
    resolution = " ".join((resolution or "").replace("\x00", "").split())[:255]
    if not resolution:
        raise PaymentError(_("Say how the case was settled (e.g. the refund's transfer number)."))
    case.status, case.resolved_at, case.resolved_by, case.resolution = (
        CaseStatus.RESOLVED,
        timezone.now(),
        actor,
        resolution,
    )
    case.save()
    return case


def payment_handle_callback(*, params: Mapping[str, str]) -> CallbackOutcome:
    """Process the gateway's signed notification: check the signature, the reference and the
    amount; settle once. Never raises: the outcome code says what was wrong ("99" for an
    unexpected error: nothing was written and the gateway will call again)."""
    try:
        return _handle_callback(params)
    except Exception:
        log.exception(
            "payment.callback_failed", extra={"reference": str(params.get("vnp_TxnRef", ""))[:40]}
        )
        return CallbackOutcome(IpnCode.UNKNOWN)


def _handle_callback(params: Mapping[str, str]) -> CallbackOutcome:
    params = {str(k).replace("\x00", ""): str(v).replace("\x00", "") for k, v in params.items()}
    if not gateway.verify(params):
        return CallbackOutcome(IpnCode.INVALID_SIGNATURE)
    reference = params.get("vnp_TxnRef", "")[:40]
    amount = gateway.amount_from_gateway(params.get("vnp_Amount", ""))
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("dossier", "created_by")
            .filter(reference=reference)
            .first()
        )
        if payment is None:
            return CallbackOutcome(IpnCode.NOT_FOUND)
        if amount is None or amount != payment.amount:
            return CallbackOutcome(IpnCode.INVALID_AMOUNT, payment)
        if payment.status != PaymentStatus.PENDING:
            return CallbackOutcome(IpnCode.ALREADY_CONFIRMED, payment)
        txn = params.get("vnp_TransactionNo", "")[:64] or None
        if (
            txn
            and Payment.objects.filter(gateway_transaction_id=txn).exclude(pk=payment.pk).exists()
        ):
            return CallbackOutcome(IpnCode.ALREADY_CONFIRMED, payment)
        payment.gateway_transaction_id = txn
        payment.bank_code = params.get("vnp_BankCode", "")[:20]
        payment.response_code = params.get("vnp_ResponseCode", "")[:4]
        payment.callback_data = params
        success = (
            payment.response_code == GATEWAY_SUCCESS
            and params.get("vnp_TransactionStatus", GATEWAY_SUCCESS) == GATEWAY_SUCCESS
        )
        if success:
            payment.dossier = _lock_dossier(payment.dossier_id)
            _settle(payment, actor=payment.created_by, now=timezone.now())
        else:
            payment.status = PaymentStatus.FAILED
            payment.save()
    return CallbackOutcome(IpnCode.CONFIRMED, payment)


@transaction.atomic
def payment_record_at_counter(
    *, dossier: Dossier, actor: Actor, amount: Decimal | str | None = None, note: str = ""
) -> Payment:
    """A one-stop clerk records a fee paid in cash or by card at the counter; the dossier resumes."""
    dossier = _lock_dossier(dossier)
    workflow.check_transition(dossier, actor, Action.CONFIRM_PAYMENT)
    if not getattr(actor, "is_staff_member", False):
        raise PermissionDenied(_("Only a one-stop clerk records counter payments."))
    try:
        value = amount_due(dossier) if amount in (None, "") else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise PaymentError(_("Invalid amount."), code="invalid_amount") from None
    if value != amount_due(dossier):
        raise PaymentError(_("The amount must equal the amount due."), code="amount_mismatch")
    if _pending_payment(dossier) is not None:
        raise PaymentError(
            _(
                "The applicant is paying this dossier online right now. Wait until the online payment is finished or has expired (%(minutes)d minutes)."
            )
            % {"minutes": max(1, settings.PAYMENT_PENDING_TIMEOUT // 60)}
        )
    now = timezone.now()
    payment = Payment(
        dossier=dossier,
        reference=_new_reference(dossier),
        amount=value,
        method=PaymentMethod.COUNTER,
        created_by=actor,
        note=(note or "").replace("\x00", "")[:255],
    )
    _settle(payment, actor=actor, now=now)
    return payment


def payment_settle_external(
    *,
    payment_id: int,
    amount: Decimal,
    success: bool,
    transaction_id: str,
    bank_code: str = "",
    data: Mapping[str, Any] | None = None,
) -> CallbackOutcome:
    """Settle a payment whose result another gateway (the national payment platform) has already
    verified: the same checks and the same one-time settlement as :func:`payment_handle_callback`
    (row lock, amount, already settled, unique gateway transaction). Runs inside the caller's
    transaction when there is one."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("dossier", "created_by")
            .filter(pk=payment_id)
            .first()
        )
        if payment is None:
            return CallbackOutcome(IpnCode.NOT_FOUND)
        if amount != payment.amount:
            return CallbackOutcome(IpnCode.INVALID_AMOUNT, payment)
        if payment.status != PaymentStatus.PENDING:
            return CallbackOutcome(IpnCode.ALREADY_CONFIRMED, payment)
        txn = (transaction_id or "")[:64] or None
        if (
            txn
            and Payment.objects.filter(gateway_transaction_id=txn).exclude(pk=payment.pk).exists()
        ):
            return CallbackOutcome(IpnCode.ALREADY_CONFIRMED, payment)
        payment.gateway_transaction_id = txn
        payment.bank_code = (bank_code or "")[:20]
        payment.response_code = GATEWAY_SUCCESS if success else "99"
        payment.callback_data = dict(data or {})
        if success:
            payment.dossier = _lock_dossier(payment.dossier_id)
            _settle(payment, actor=payment.created_by, now=timezone.now())
        else:
            payment.status = PaymentStatus.FAILED
        payment.save()
    return CallbackOutcome(IpnCode.CONFIRMED, payment)
