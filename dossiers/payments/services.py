"""Every write of the payments app. A paid payment, its receipt number and the dossier's resumption
(``dossiers.services.dossier_confirm_payment``: status 6 → back to where it was, the clock runs
again) commit together in one transaction.

The gateway's notification (IPN) may arrive many times and concurrently: the payment row is
locked (``select_for_update``) and a payment already settled answers "already confirmed", so a
repeated callback never pays or resumes twice; the gateway's transaction number is unique.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from dossiers import workflow
from dossiers.constants import Action, DossierStatus
from dossiers.exceptions import DossierError, PermissionDenied
from dossiers.models import Dossier
from dossiers.services import dossier_confirm_payment
from portal.core.counters import next_value

from . import gateway
from .constants import GATEWAY_SUCCESS, IpnCode, PaymentMethod, PaymentStatus
from .models import Payment, ReceiptCounter

log = logging.getLogger(__name__)


class PaymentError(DossierError):
    """Bad input for a payment: nothing was changed."""


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
    return Dossier.objects.select_for_update(of=("self",)).select_related("receiving_agency", "handling_department").get(pk=pk)


@transaction.atomic
def payment_start(*, dossier: Dossier, actor: Any) -> Payment:
    """The applicant starts paying a dossier's fees online (the dossier is in status 6)."""
    dossier = _lock_dossier(dossier)
    workflow.check_transition(dossier, actor, Action.CONFIRM_PAYMENT)
    if not workflow.actor_matches(dossier, actor, workflow.APPLICANT, workflow.OWNER):
        raise PermissionDenied("Chỉ người nộp hồ sơ mới thanh toán trực tuyến được. / Only the applicant can pay online.")
    if dossier.fee_total <= 0:
        raise PaymentError("Hồ sơ không có khoản phí nào phải nộp. / The dossier has no fee to pay.")
    return Payment.objects.create(
        dossier=dossier, reference=_new_reference(dossier), amount=dossier.fee_total,
        method=PaymentMethod.ONLINE, created_by=actor,
    )


def _settle(payment: Payment, *, actor: Any, now: Any) -> None:
    payment.status = PaymentStatus.PAID
    payment.paid_at = now
    payment.receipt_number = _issue_receipt_number(now)
    dossier = payment.dossier
    if dossier.status == DossierStatus.FINANCIAL_OBLIGATION:
        dossier_confirm_payment(dossier=dossier, actor=actor, reference=payment.reference, amount=payment.amount)
    else:
        # The money arrived after the obligation was settled another way (e.g. at the counter):
        # keep the payment and its receipt, flag it for a refund.
        payment.note = "Hồ sơ không còn chờ thanh toán: cần hoàn tiền. / Dossier no longer awaiting payment: refund needed."
        log.warning("payment.settled_without_obligation", extra={"payment": payment.pk, "dossier": dossier.pk})


def payment_handle_callback(*, params: Mapping[str, str]) -> CallbackOutcome:
    """Process the gateway's signed notification: check the signature, the reference and the
    amount; settle once. Never raises on bad input: the outcome code says what was wrong."""
    params = {str(k): str(v) for k, v in params.items()}
    if not gateway.verify(params):
        return CallbackOutcome(IpnCode.INVALID_SIGNATURE)
    reference = params.get("vnp_TxnRef", "")[:40]
    amount = gateway.amount_from_gateway(params.get("vnp_Amount", ""))
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related("dossier", "created_by").filter(reference=reference).first()
        if payment is None:
            return CallbackOutcome(IpnCode.NOT_FOUND)
        if amount is None or amount != payment.amount:
            return CallbackOutcome(IpnCode.INVALID_AMOUNT, payment)
        if payment.status != PaymentStatus.PENDING:
            return CallbackOutcome(IpnCode.ALREADY_CONFIRMED, payment)
        txn = params.get("vnp_TransactionNo", "")[:64] or None
        if txn and Payment.objects.filter(gateway_transaction_id=txn).exclude(pk=payment.pk).exists():
            return CallbackOutcome(IpnCode.ALREADY_CONFIRMED, payment)
        payment.gateway_transaction_id = txn
        payment.bank_code = params.get("vnp_BankCode", "")[:20]
        payment.response_code = params.get("vnp_ResponseCode", "")[:4]
        payment.callback_data = params
        success = payment.response_code == GATEWAY_SUCCESS and params.get("vnp_TransactionStatus", GATEWAY_SUCCESS) == GATEWAY_SUCCESS
        if success:
            payment.dossier = _lock_dossier(payment.dossier_id)
            _settle(payment, actor=payment.created_by, now=timezone.now())
        else:
            payment.status = PaymentStatus.FAILED
        payment.save()
    return CallbackOutcome(IpnCode.CONFIRMED, payment)


@transaction.atomic
def payment_record_at_counter(*, dossier: Dossier, actor: Any, amount: Decimal | str | None = None, note: str = "") -> Payment:
    """A one-stop clerk records a fee paid in cash or by card at the counter; the dossier resumes."""
    dossier = _lock_dossier(dossier)
    workflow.check_transition(dossier, actor, Action.CONFIRM_PAYMENT)
    if not getattr(actor, "is_staff_member", False):
        raise PermissionDenied("Chỉ công chức Một cửa ghi nhận thanh toán tại quầy. / Only a one-stop clerk records counter payments.")
    try:
        value = dossier.fee_total if amount in (None, "") else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise PaymentError("Số tiền không hợp lệ. / Invalid amount.") from None
    if value != dossier.fee_total:
        raise PaymentError("Số tiền phải bằng khoản phải nộp. / The amount must equal the amount due.")
    now = timezone.now()
    payment = Payment(
        dossier=dossier, reference=_new_reference(dossier), amount=value, method=PaymentMethod.COUNTER,
        created_by=actor, note=(note or "").replace("\x00", "")[:255],
    )
    _settle(payment, actor=actor, now=now)
    payment.save()
    return payment


def payment_settle_external(*, payment_id: int, amount: Decimal, success: bool, transaction_id: str, bank_code: str = "", data: Mapping[str, Any] | None = None) -> CallbackOutcome:
    """Settle a payment whose result another gateway (the national payment platform) has already
    verified: the same checks and the same one-time settlement as :func:`payment_handle_callback`
    (row lock, amount, already settled, unique gateway transaction). Runs inside the caller's
    transaction when there is one."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related("dossier", "created_by").filter(pk=payment_id).first()
        if payment is None:
            return CallbackOutcome(IpnCode.NOT_FOUND)
        if amount != payment.amount:
            return CallbackOutcome(IpnCode.INVALID_AMOUNT, payment)
        if payment.status != PaymentStatus.PENDING:
            return CallbackOutcome(IpnCode.ALREADY_CONFIRMED, payment)
        txn = (transaction_id or "")[:64] or None
        if txn and Payment.objects.filter(gateway_transaction_id=txn).exclude(pk=payment.pk).exists():
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
