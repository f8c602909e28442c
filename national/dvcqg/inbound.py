"""Dossiers in: a dossier filed on DVCQG becomes one dossier here, with the same code, its e-form
data and its files, in the receiving agency's intake queue — exactly once.

Issue 17 "Dossiers in". Two ways in, one service (:func:`receive_dossier`):

* **push** – DVCQG POSTs the dossier to ``/api/national/dvcqg/inbound/``. The request is signed
  (not a shared key in the JSON body, as one public implementation does — DESIGN §4 names that an
  anti-pattern): ``X-DVCQG-Signature`` is ECDSA-P256/SHA-256 (or RSA PKCS#1 v1.5/SHA-256) by
  DVCQG's private key over ``method \\n path \\n timestamp \\n nonce \\n sha256(body)``, verified
  against ``DVCQG_PUSH_PUBLIC_KEY``; a timestamp older or newer than ``DVCQG_PUSH_MAX_SKEW`` and a
  nonce seen before are refused (replays);
* **poll** – the fallback: ``LayDanhSachHoSoMoi`` lists what DVCQG holds for the province, each is
  received, and ``XacNhanDaNhanHoSo`` acknowledges the codes received.

Exactly once: :class:`InboundDossier.national_code` is unique and the dossier's own ``code`` too;
a second delivery (push twice, push then poll) finds the row and answers "already received".
The dossier is created in status 1 (Mới đăng ký), channel 2, as ``dossiers.services.dossier_submit``
leaves an online dossier, and its history starts with the same ``submit`` row (append_event).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from decimal import InvalidOperation
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dossiers.constants import Action, Channel, DossierStatus, Stage
from dossiers.history import append_event
from dossiers.models import Dossier, DossierFile
from portal.accounts.constants import AccountKind
from portal.agencies.models import Agency
from portal.core.uploads import validate_upload
from procedures import fees
from procedures.models import Procedure
from procedures.services import procedure_current_version

from .client import DvcqgClient, DvcqgError, parse_date
from .models import InboundDossier, PushNonce
from .signing import signing_string

logger = logging.getLogger(__name__)


class InboundRefused(Exception):
    """A push or a dossier that cannot be accepted; ``message`` says why (Vietnamese first)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- authentication of a push -------------------------------------------------------------------


def _public_key() -> Any:
    path = settings.DVCQG_PUSH_PUBLIC_KEY
    if not path:
        raise InboundRefused(
            "Chưa cấu hình khoá công khai của Cổng DVCQG (DVCQG_PUSH_PUBLIC_KEY).", status=503
        )
    try:
        return serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError):
        raise InboundRefused("Khoá công khai của Cổng DVCQG không đọc được.", status=503) from None


def verify_push(*, method: str, path: str, headers: dict[str, str], body: bytes) -> str:
    """Check a push's signature, freshness and nonce; returns the nonce (recorded by the caller
    in the same transaction as the dossier, so a refused dossier can be pushed again)."""
    timestamp = headers.get("x-dvcqg-timestamp", "")
    nonce = headers.get("x-dvcqg-nonce", "")
    signature = headers.get("x-dvcqg-signature", "")
    if not (timestamp.isdigit() and 8 <= len(nonce) <= 80 and signature):
        raise InboundRefused(
            "Thiếu chữ ký của yêu cầu (X-DVCQG-Timestamp, X-DVCQG-Nonce, X-DVCQG-Signature).",
            status=401,
        )
    if abs(time.time() - int(timestamp)) > settings.DVCQG_PUSH_MAX_SKEW:
        raise InboundRefused("Yêu cầu đã quá hạn (timestamp), có thể là gửi lại.", status=401)
    try:
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise InboundRefused("Chữ ký không hợp lệ.", status=401) from None
    message = signing_string(method, path, timestamp, nonce, body)
    key = _public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(raw_signature, message, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(raw_signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise InboundRefused("Loại khoá không được hỗ trợ.", status=503)
    except InvalidSignature:
        raise InboundRefused("Chữ ký không đúng.", status=401) from None
    if PushNonce.objects.filter(nonce=nonce).exists():
        raise InboundRefused("Yêu cầu đã được nhận trước đó (nonce trùng).", status=409)
    return nonce


# --- the dossier ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundOutcome:
    dossier: Dossier
    created: bool


def _text(payload: dict, key: str, limit: int, *, required: bool = False) -> str:
    value = payload.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise InboundRefused(f"Thiếu trường bắt buộc: {key}.")
    if len(value) > limit:
        raise InboundRefused(f"Trường {key} quá dài (tối đa {limit} ký tự).")
    return value


def _agency(code: str) -> Agency:
    agency = (
        Agency.objects.filter(code=code).first()
        or Agency.objects.filter(receiving_code=code).first()
    )
    if agency is None:
        raise InboundRefused(f"Không có cơ quan tiếp nhận mã {code}.")
    return agency


def _procedure(code: str, agency: Agency) -> Procedure:
    procedure = Procedure.objects.filter(code=code).select_related("sector").first()
    if procedure is None:
        raise InboundRefused(f"Thủ tục {code} chưa có trong danh mục của tỉnh.")
    if (
        procedure.agencies.exists()
        and not procedure.agencies.filter(
            pk__in=[agency.pk, *agency.ancestors().values_list("pk", flat=True)]
        ).exists()
    ):
        raise InboundRefused(f"Cơ quan {agency.code} không giải quyết thủ tục {code}.")
    return procedure


def _files(
    payload: dict, documents: dict[str, dict]
) -> list[tuple[SimpleUploadedFile, Any, str, bool]]:
    out = []
    items = payload.get("TaiLieuNop") or []
    if not isinstance(items, list):
        raise InboundRefused("TaiLieuNop phải là danh sách.")
    for item in items:
        if not isinstance(item, dict):
            raise InboundRefused("Mỗi tệp trong TaiLieuNop phải là một đối tượng.")
        name = _text(item, "TenTepDinhKem", 255, required=True)
        try:
            data = base64.b64decode(str(item.get("DuLieuTepTin") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise InboundRefused(f"Tệp {name}: dữ liệu base64 không hợp lệ.") from None
        upload = SimpleUploadedFile(name, data)
        try:
            validate_upload(upload)
        except ValidationError as exc:
            raise InboundRefused(f"Tệp {name}: {' '.join(exc.messages)}") from None
        doc = documents.get(str(item.get("MaThanhPhanHoSo") or ""))
        out.append((upload, doc, name, str(item.get("DuocSoHoa", "0")) == "1"))
    return out


def receive_dossier(payload: Any, *, via: str, nonce: str | None = None) -> InboundOutcome:
    """Create the dossier DVCQG sent, or find the one already created from it."""
    if not isinstance(payload, dict):
        raise InboundRefused("Dữ liệu hồ sơ phải là một đối tượng JSON.")
    code = _text(payload, "MaHoSo", 40, required=True)
    existing = InboundDossier.objects.filter(national_code=code).select_related("dossier").first()
    if existing is not None:
        if nonce:
            PushNonce.objects.bulk_create([PushNonce(nonce=nonce)], ignore_conflicts=True)
        return InboundOutcome(existing.dossier, False)
    agency = _agency(_text(payload, "MaDonViNhan", 20, required=True))
    procedure = _procedure(_text(payload, "MaTTHC", 40, required=True), agency)
    version = procedure_current_version(procedure)
    if version is None:
        raise InboundRefused(f"Thủ tục {procedure.code} chưa được công bố.")
    snapshot = version.snapshot
    documents = {str(d["id"]): d for d in snapshot.get("documents", [])}
    documents.update({d["name"]: d for d in snapshot.get("documents", [])})
    files = _files(payload, documents)
    form_data = payload.get("DuLieuBieuMau") or {}
    if not isinstance(form_data, dict):
        raise InboundRefused("DuLieuBieuMau phải là một đối tượng.")
    citizen_id = _text(payload, "SoGiayToChuHoSo", 14)
    try:
        submitted_at = parse_date(str(payload.get("NgayNopHoSo") or "")) or timezone.now()
        # the standard case with one copy, never the sum of the cases (procedures.fees, issue 14)
        fee_quote = fees.fee_quote(snapshot)
    except (ValueError, InvalidOperation):
        raise InboundRefused("NgayNopHoSo phải có dạng yyyyMMddHHmmss.") from None
    account = None
    if len(citizen_id) == 12 and citizen_id.isdigit():
        account = (
            get_user_model()
            .objects.filter(citizen_id=citizen_id, kind=AccountKind.CITIZEN, is_active=True)
            .first()
        )
    body_hash = hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                code=code,
                procedure=procedure,
                procedure_version=version,
                receiving_agency=agency,
                applicant=account,
                applicant_name=_text(payload, "ChuHoSo", 255, required=True),
                applicant_citizen_id=citizen_id
                if len(citizen_id) == 12 and citizen_id.isdigit()
                else "",
                applicant_tax_code=citizen_id
                if citizen_id and not (len(citizen_id) == 12 and citizen_id.isdigit())
                else "",
                applicant_phone=_text(payload, "SoDienThoai", 20),
                applicant_email=_text(payload, "Email", 254),
                applicant_address=_text(payload, "DiaChiChuHoSo", 255),
                channel=Channel.ONLINE,
                status=DossierStatus.NEW,
                stage=Stage.INTAKE,
                submitted_at=submitted_at,
                form_data=form_data,
                fee_total=fee_quote.total,
                fee_choice=fee_quote.as_json(),
            )
            for upload, doc, name, digitised in files:
                checked = validate_upload(upload)
                item = DossierFile(
                    dossier=dossier,
                    document_id=doc["id"] if doc else None,
                    document_name=doc["name"] if doc else name,
                    original_name=checked.original_name,
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=checked.sha256,
                    is_digitised=digitised,
                )
                upload.seek(0)
                item.file.save(checked.stored_name, upload, save=False)
                item.save()
            InboundDossier.objects.create(
                national_code=code,
                dossier=dossier,
                via=via,
                payload_sha256=body_hash,
                vneid_verified=str(payload.get("TaiKhoanDuocXacThucVoiVNeID", "0")) == "1",
            )
            if nonce:
                PushNonce.objects.create(nonce=nonce)
            append_event(
                dossier,
                action=Action.SUBMIT,
                actor=None,
                from_status=DossierStatus.DRAFT,
                to_agency=agency,
                comment="Nộp trên Cổng Dịch vụ công quốc gia",
                data={"dvcqg": code, "via": via},
            )
    except IntegrityError:
        # a concurrent delivery of the same dossier won the unique key (or a replayed nonce)
        existing = (
            InboundDossier.objects.filter(national_code=code).select_related("dossier").first()
        )
        if existing is None:
            raise InboundRefused(
                "Mã hồ sơ đã được dùng cho một hồ sơ khác, hoặc yêu cầu bị gửi lại.", status=409
            ) from None
        return InboundOutcome(existing.dossier, False)
    logger.info(
        "dvcqg.dossier_received", extra={"code": code, "via": via, "dossier_id": dossier.pk}
    )
    return InboundOutcome(dossier, True)


def poll(*, client: DvcqgClient | None = None) -> dict[str, int]:
    """The fallback of the push: receive what DVCQG holds and acknowledge what was received."""
    client = client or DvcqgClient()
    answer = client.call("LayDanhSachHoSoMoi")
    received, created, refused = [], 0, 0
    for payload in answer.get("result") or []:
        try:
            outcome = receive_dossier(payload, via="poll")
        except InboundRefused as exc:
            refused += 1
            logger.warning(
                "dvcqg.poll_refused",
                extra={"code": (payload or {}).get("MaHoSo"), "reason": exc.message},
            )
            continue
        created += int(outcome.created)
        received.append(outcome.dossier.code)
    if received:
        try:
            client.call("XacNhanDaNhanHoSo", MaHoSo=received)
            InboundDossier.objects.filter(
                national_code__in=received, acknowledged_at__isnull=True
            ).update(acknowledged_at=timezone.now())
        except DvcqgError:
            logger.warning(
                "dvcqg.poll_ack_failed", extra={"count": len(received)}
            )  # next poll repeats; receiving is idempotent
    return {"received": len(received), "created": created, "refused": refused}
