"""Every write of the national payment platform link.

Rules (issue 17, "The national payment platform"; message shapes in :mod:`.protocol`):

* a CONFIRM (callback) or a status answer without a valid ``MaXacThuc`` never changes anything;
* a message already processed (same ``MaXacThuc``) is a replay and is refused;
* the amount must be the payment's, the partner code ours, the reference one we issued;
* a dossier is settled once (:func:`dossiers.payments.services.payment_settle_external`): a second
  payment of the same dossier is refused, and a payer who comes back while a payment is in flight
  is sent to the same payment page (one reference), never to a second one;
* the only synchronous call in a request is the INIT that gives the payment page to redirect to;
  status look-ups and receipts are fetched by Celery tasks enqueued through the outbox.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.payments.constants import IpnCode, PaymentStatus
from dossiers.payments.models import Payment
from dossiers.payments.services import payment_settle_external, stored_text
from portal.core.outbox import outbox_enqueue

from . import client, protocol
from .constants import ConfirmCode, TransactionStatus
from .models import ConfirmationRecord, PlatformTransaction

log = logging.getLogger(__name__)

#: A payer who comes back within this time is sent to the same payment page (no second reference).
REUSE_WINDOW = timedelta(minutes=15)
MAX_QUERY_ATTEMPTS = 12
#: The note on a payment replaced by the transaction already open at the platform (stored text).
SUPERSEDED = gettext_lazy("Superseded by the open transaction.")


class PlatformPaymentError(Exception):
    """The payment could not be opened on the platform; ``message`` is for the payer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ConfirmOutcome:
    code: ConfirmCode
    transaction: PlatformTransaction | None = None

    def answer(self, message: dict[str, Any]) -> dict[str, str]:
        """Our JSON answer to the platform: the fields the sources echo, signed with our key."""
        body = {
            "MaLoi": self.code.value,
            "MoTaLoi": self.code.label,
            "MaDoiTac": str(message.get("MaDoiTac", "")),
            "MaThamChieu": str(message.get("MaThamChieu", "")),
            "ThoiGianGD": str(message.get("ThoiGianGD", "")),
        }
        if settings.PAYMENT_PLATFORM_CALLBACK_SECRET:
            protocol.sign(body, protocol.ANSWER_FIELDS, settings.PAYMENT_PLATFORM_CALLBACK_SECRET)
        return body


def platform_enabled() -> bool:
    """Empty = off: the platform needs its INIT endpoint, partner code and both keys."""
    return bool(
        settings.PAYMENT_PLATFORM_INIT_URL
        and settings.PAYMENT_PLATFORM_PARTNER_CODE
        and settings.PAYMENT_PLATFORM_SECRET
        and settings.PAYMENT_PLATFORM_CALLBACK_SECRET
    )


def _now_stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d%H%M%S")


def platform_reference(payment: Payment) -> str:
    """MaThamChieu: our payment reference without punctuation (the Thanh Hóa client strips
    non-word characters, so the platform is not assumed to accept them)."""
    return re.sub(r"\W", "", payment.reference)[:60]


def fee_lines(dossier: Any) -> list[dict[str, str]]:
    """PhiLePhi of the receipt: the lines the applicant's fee case and copies charge (issue 14,
    ``Dossier.fee_choice``) when they add up to the amount due, else one line for the whole amount.
    LoaiPhiLePhi 1 = phí (fee), 2 = lệ phí (charge), as OpenCPS sends; a line for several copies
    names their number."""
    due = Decimal(dossier.fee_total)
    chosen = (getattr(dossier, "fee_choice", None) or {}).get("lines") or []
    lines = []
    if chosen and sum((Decimal(str(f["total"])) for f in chosen), Decimal(0)) == due:
        for fee in chosen:
            if Decimal(str(fee["total"])) <= 0:
                continue
            name = str(fee["name"])
            kind = "2" if name.strip().lower().startswith("lệ phí") else "1"
            if int(fee.get("quantity") or 1) > 1:
                name = f"{name} (x{int(fee['quantity'])})"
            lines.append(
                {
                    "LoaiPhiLePhi": kind,
                    "MaPhiLePhi": str(int(fee.get("index", 0)) + 1),
                    "TenPhiLePhi": name[:200],
                    "SoTien": str(int(Decimal(str(fee["total"])))),
                }
            )
    if not lines:
        lines = [
            {
                "LoaiPhiLePhi": "1",
                "MaPhiLePhi": "1",
                "TenPhiLePhi": "Phí, lệ phí giải quyết thủ tục hành chính",
                "SoTien": str(int(due)),
            }
        ]
    return lines


def build_init(payment: Payment, *, ip: str) -> dict[str, Any]:
    """The INIT message of a payment, per dossier and fee line (ThongTinBienLai), signed."""
    dossier = payment.dossier
    procedure = getattr(dossier, "procedure", None)
    info = f"THANH TOAN HO SO {dossier.code or dossier.pk}"
    agency = dossier.receiving_agency
    message: dict[str, Any] = {
        "LoaiBanTin": protocol.INIT,
        "PhienBan": settings.PAYMENT_PLATFORM_VERSION,
        "MaDoiTac": settings.PAYMENT_PLATFORM_PARTNER_CODE,
        "MaThamChieu": platform_reference(payment),
        "SoTien": str(int(payment.amount)),
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": "1",
        "MaThietBi": "1",
        "NgonNgu": "vi-VN",
        "MaTienTe": "VND",
        "MaNganHang": "PAYMENT",
        "ThongTinGiaoDich": info,
        "ThoiGianGD": _now_stamp(),
        "Ip": ip or "127.0.0.1",
        "ThongTinBienLai": {
            "MaDichVu": "2",  # 2 = fees of an administrative procedure (1 = fines)
            "MaTTHC": getattr(procedure, "code", "") or "",
            "TenTTHC": (getattr(procedure, "name", "") or "")[:250],
            "MaDVC": f"{getattr(procedure, 'code', '')}.01" if procedure else "",
            "TenDVC": (getattr(procedure, "name", "") or "")[:250],
            "MaDonVi": getattr(agency, "code", "") or "",
            "TenDonVi": getattr(agency, "name", "") or "",
            "MaHoSo": dossier.code or str(dossier.pk),
            "TKThuHuong": settings.PAYMENT_PLATFORM_BENEFICIARY_ACCOUNT,
            "MaNHThuHuong": settings.PAYMENT_PLATFORM_BENEFICIARY_BANK,
            "TenTKThuHuong": settings.PAYMENT_PLATFORM_BENEFICIARY_NAME,
            "NoiDungThanhToan": info,
            "HoTenNguoiNop": getattr(dossier, "applicant_name", "") or "",
            "SoCMNDNguoiNop": getattr(dossier, "applicant_citizen_id", "") or "",
            "DiaChiNguoiNop": getattr(dossier, "applicant_address", "") or "",
            "PhiLePhi": fee_lines(dossier),
            "DSKhoanNop": [{"NoiDung": info, "SoTien": str(int(payment.amount))}],
        },
    }
    return protocol.sign(message, protocol.INIT_FIELDS, settings.PAYMENT_PLATFORM_SECRET)


def _payment_url_from(answer: Any) -> str:
    """The payment page from INIT's answer. Sources disagree on the envelope: Thanh Hóa reads
    ``{"error_code": "0", "message": "<JSON with UrlThanhToan>"}``, OpenCPS ``MaLoi == "00"``."""
    import json

    if not isinstance(answer, dict):
        raise client.PlatformRefused("unexpected answer")
    inner: Any = answer
    if "error_code" in answer:
        if str(answer.get("error_code")) not in ("0", "00"):
            raise client.PlatformRefused(
                f"error_code {answer.get('error_code')}: {answer.get('message', '')}"[:200]
            )
        inner = answer.get("message")
        if isinstance(inner, str):
            try:
                inner = json.loads(inner)
            except ValueError:
                raise client.PlatformRefused("unreadable message") from None
    if not isinstance(inner, dict):
        raise client.PlatformRefused("unexpected answer")
    if "MaLoi" in inner and str(inner["MaLoi"]) != protocol.SUCCESS:
        raise client.PlatformRefused(f"MaLoi {inner['MaLoi']}")
    url = str(inner.get("UrlThanhToan") or "")
    if not url.startswith(("https://", "http://")):
        raise client.PlatformRefused("no payment URL")
    return url


def payment_open_on_platform(*, payment: Payment, ip: str) -> str:
    """Open ``payment`` (a pending online payment just created by ``payment_start``) on the
    platform and return the page to send the payer to.

    A payment of the same dossier already in flight (redirected less than 15 minutes ago, still
    pending) is reused: the new payment row is closed and the payer goes to the same page, so one
    dossier never has two references that could both be paid."""
    if not platform_enabled():
        raise PlatformPaymentError(
            _("Online payment through the national payment platform is not configured.")
        )
    in_flight = (
        PlatformTransaction.objects.filter(
            payment__dossier_id=payment.dossier_id,
            status=TransactionStatus.REDIRECTED,
            payment__status=PaymentStatus.PENDING,
            created_at__gte=timezone.now() - REUSE_WINDOW,
        )
        .exclude(payment=payment)
        .select_related("payment")
        .first()
    )
    if in_flight is not None and in_flight.payment.amount == payment.amount:
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=PaymentStatus.FAILED,
            note=stored_text(SUPERSEDED)[:255],
        )
        return in_flight.payment_url
    message = build_init(payment, ip=ip)
    txn = PlatformTransaction.objects.create(
        payment=payment,
        reference=message["MaThamChieu"],
        partner_code=message["MaDoiTac"],
        amount=payment.amount,
        transaction_time=message["ThoiGianGD"],
        init_message=message,
    )
    try:
        url = _payment_url_from(client.post(settings.PAYMENT_PLATFORM_INIT_URL, message))
    except client.PlatformError as exc:
        with transaction.atomic():
            PlatformTransaction.objects.filter(pk=txn.pk).update(
                status=TransactionStatus.INIT_FAILED, last_error=str(exc)[:255]
            )
            Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.FAILED, note=f"INIT: {exc}"[:255]
            )
        log.warning(
            "payment_platform.init_failed", extra={"payment": payment.pk, "error": str(exc)}
        )
        raise PlatformPaymentError(
            _(
                "The national payment platform is not answering. Nothing was charged; please try again in a few minutes."
            )
        ) from None
    with transaction.atomic():
        PlatformTransaction.objects.filter(pk=txn.pk).update(
            status=TransactionStatus.REDIRECTED,
            payment_url=url,
            next_query_at=timezone.now()
            + timedelta(seconds=int(settings.PAYMENT_PLATFORM_QUERY_AFTER)),
        )
    return url


def _amount(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount >= 0 and amount == amount.to_integral_value() else None


def _apply_confirmation(
    message: dict[str, Any], *, source: str, paid: bool | None = None
) -> ConfirmOutcome:
    """Apply a verified CONFIRM (or status answer) once. ``paid`` overrides MaLoi (the status
    answer says paid/failed in TrangThaiGD)."""
    digest = hashlib.sha256(str(message.get("MaXacThuc", "")).lower().encode()).hexdigest()
    with transaction.atomic():
        txn = (
            PlatformTransaction.objects.select_for_update()
            .select_related("payment")
            .filter(reference=str(message.get("MaThamChieu", ""))[:60])
            .first()
        )
        try:
            with transaction.atomic():
                record = ConfirmationRecord.objects.create(
                    digest=digest, transaction=txn, source=source, code="", message=message
                )
        except IntegrityError:
            return ConfirmOutcome(ConfirmCode.REPLAYED, txn)
        outcome = _decide(txn, message, paid=paid)
        record.code = outcome.code.value
        record.save(update_fields=["code"])
        return outcome


def _decide(
    txn: PlatformTransaction | None, message: dict[str, Any], *, paid: bool | None
) -> ConfirmOutcome:
    if txn is None:
        return ConfirmOutcome(ConfirmCode.NOT_FOUND)
    if str(message.get("MaDoiTac", "")) != txn.partner_code:
        return ConfirmOutcome(ConfirmCode.BAD_PARTNER, txn)
    amount = _amount(message.get("SoTien"))
    if amount is None or amount != txn.amount:
        txn.last_error = f"amount {message.get('SoTien')!s:.20} != {txn.amount}"
        txn.save(update_fields=["last_error", "updated_at"])
        log.warning("payment_platform.amount_mismatch", extra={"reference": txn.reference})
        return ConfirmOutcome(ConfirmCode.BAD_AMOUNT, txn)
    if txn.status in (TransactionStatus.PAID, TransactionStatus.FAILED):
        return ConfirmOutcome(ConfirmCode.ALREADY, txn)
    success = (str(message.get("MaLoi", "")) == protocol.SUCCESS) if paid is None else paid
    platform_txn = str(message.get("MaGiaoDich", ""))[:64] or None
    if (
        success
        and platform_txn
        and PlatformTransaction.objects.filter(platform_transaction_id=platform_txn)
        .exclude(pk=txn.pk)
        .exists()
    ):
        return ConfirmOutcome(ConfirmCode.ALREADY, txn)
    result = payment_settle_external(
        payment_id=txn.payment_id,
        amount=amount,
        success=success,
        transaction_id=f"PP-{platform_txn}" if platform_txn else "",
        bank_code=str(message.get("MaNganHang", "")),
        data=message,
    )
    if result.code == IpnCode.INVALID_AMOUNT:
        return ConfirmOutcome(ConfirmCode.BAD_AMOUNT, txn)
    if result.code == IpnCode.ALREADY_CONFIRMED:
        return ConfirmOutcome(ConfirmCode.ALREADY, txn)
    if result.code != IpnCode.CONFIRMED:
        return ConfirmOutcome(ConfirmCode.OTHER, txn)
    txn.status = TransactionStatus.PAID if success else TransactionStatus.FAILED
    txn.platform_transaction_id = platform_txn if success else None
    txn.bank_code = str(message.get("MaNganHang", ""))[:30]
    txn.confirm_message = message
    txn.next_query_at = None
    txn.save()
    if success and settings.PAYMENT_PLATFORM_BILL_URL:
        outbox_enqueue(
            "national.payment_platform.tasks.fetch_receipt",
            kwargs={"transaction_id": txn.pk},
            dedupe_key=f"pp-bill-{txn.pk}",
        )
    return ConfirmOutcome(ConfirmCode.OK, txn)


def confirm_handle(*, message: Any) -> ConfirmOutcome:
    """The platform's CONFIRM callback. Never raises on bad input: the code says what was wrong."""
    if not isinstance(message, dict):
        return ConfirmOutcome(ConfirmCode.OTHER)
    message = {str(k): ("" if v is None else v) for k, v in message.items()}
    if str(message.get("LoaiBanTin", "")).upper() != protocol.CONFIRM or not protocol.verify(
        message, protocol.CONFIRM_FIELDS, settings.PAYMENT_PLATFORM_CALLBACK_SECRET
    ):
        log.warning(
            "payment_platform.bad_signature",
            extra={"reference": str(message.get("MaThamChieu", ""))[:60]},
        )
        return ConfirmOutcome(ConfirmCode.BAD_SIGNATURE)
    return _apply_confirmation(message, source="callback")


def _query_message(txn: PlatformTransaction, kind: str) -> dict[str, Any]:
    message = {
        "LoaiBanTin": kind,
        "PhienBan": settings.PAYMENT_PLATFORM_VERSION,
        "MaDoiTac": txn.partner_code,
        "MaThamChieu": txn.reference,
        "ThoiGianGD": txn.transaction_time,
    }
    return protocol.sign(message, protocol.QUERY_FIELDS, settings.PAYMENT_PLATFORM_SECRET)


def request_status_lookup(*, transaction_id: int) -> None:
    """Ask a worker to look the transaction up (the payer is back and no callback came yet)."""
    with transaction.atomic():
        outbox_enqueue(
            "national.payment_platform.tasks.query_status",
            kwargs={"transaction_id": transaction_id},
            dedupe_key=f"pp-query-{transaction_id}-{timezone.now():%Y%m%d%H%M}",
        )


def status_lookup(*, transaction_id: int) -> ConfirmOutcome | None:
    """QUERY the platform for a transaction still waiting for its callback and apply a verified,
    final answer as its confirmation. ``None`` when it is still pending (looked up again later,
    back-off doubling). Raises :class:`client.PlatformUnavailable` on a transient error."""
    txn = PlatformTransaction.objects.filter(pk=transaction_id).first()
    if (
        txn is None
        or txn.status != TransactionStatus.REDIRECTED
        or not settings.PAYMENT_PLATFORM_QUERY_URL
    ):
        return None
    PlatformTransaction.objects.filter(pk=txn.pk).update(query_attempts=txn.query_attempts + 1)
    try:
        answer = client.post(
            settings.PAYMENT_PLATFORM_QUERY_URL, _query_message(txn, protocol.QUERY)
        )
    except client.PlatformError:
        _schedule_next_query(txn)
        raise
    if not isinstance(answer, dict):
        _schedule_next_query(txn)
        return None
    answer = {str(k): ("" if v is None else v) for k, v in answer.items()}
    state = str(answer.get("TrangThaiGD", ""))
    if str(answer.get("MaLoi")) != protocol.SUCCESS or state not in (
        protocol.TXN_PAID,
        protocol.TXN_FAILED,
    ):
        _schedule_next_query(txn)
        return None
    # The status answer is a confirmation too: it must carry a valid MaXacThuc (CONFIRM fields).
    if not protocol.verify(
        answer, protocol.CONFIRM_FIELDS, settings.PAYMENT_PLATFORM_CALLBACK_SECRET
    ):
        log.warning("payment_platform.query_bad_signature", extra={"reference": txn.reference})
        _schedule_next_query(txn)
        return ConfirmOutcome(ConfirmCode.BAD_SIGNATURE, txn)
    return _apply_confirmation(answer, source="query", paid=state == protocol.TXN_PAID)


def _schedule_next_query(txn: PlatformTransaction) -> None:
    attempts = txn.query_attempts + 1
    delay = min(int(settings.PAYMENT_PLATFORM_QUERY_AFTER) * (2 ** min(attempts, 8)), 6 * 3600)
    PlatformTransaction.objects.filter(pk=txn.pk).update(
        next_query_at=None
        if attempts >= MAX_QUERY_ATTEMPTS
        else timezone.now() + timedelta(seconds=delay)
    )


def scan_pending(*, now: Any = None) -> int:
    """Beat: enqueue a look-up for every transaction whose callback is overdue."""
    now = now or timezone.now()
    ids = list(
        PlatformTransaction.objects.filter(
            status=TransactionStatus.REDIRECTED, next_query_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    with transaction.atomic():
        for pk in ids:
            outbox_enqueue(
                "national.payment_platform.tasks.query_status",
                kwargs={"transaction_id": pk},
                dedupe_key=f"pp-query-{pk}-{now:%Y%m%d%H%M}",
            )
    return len(ids)


def receipt_fetch(*, transaction_id: int) -> bool:
    """GET_BILL: store the platform's receipt (a PDF) with the transaction, hence the dossier.
    True when stored (or already there). Raises :class:`client.PlatformUnavailable` to retry."""
    txn = (
        PlatformTransaction.objects.filter(pk=transaction_id)
        .select_related("payment__dossier")
        .first()
    )
    if txn is None or txn.status != TransactionStatus.PAID:
        return False
    if txn.receipt_file:
        return True
    body, ctype = client.post(
        settings.PAYMENT_PLATFORM_BILL_URL, _query_message(txn, protocol.GET_BILL), raw=True
    )
    if not body.startswith(b"%PDF"):
        raise client.PlatformRefused(f"not a PDF ({ctype})")
    with transaction.atomic():
        locked = PlatformTransaction.objects.select_for_update().get(pk=txn.pk)
        if locked.receipt_file:
            return True
        locked.receipt_file.save(f"bien-lai-{locked.reference}.pdf", ContentFile(body), save=False)
        locked.receipt_fetched_at = timezone.now()
        locked.save(update_fields=["receipt_file", "receipt_fetched_at", "updated_at"])
    return True
