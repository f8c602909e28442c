"""The national payment platform's message set (Nền tảng thanh toán của Cổng DVCQG), as the two
public provincial implementations send it (sources and their disagreements:
``docs/national/payment-platform.md``).

Every message is a flat JSON object with Vietnamese field names. ``MaXacThuc`` is the lowercase
hex SHA-256 of the message's defined fields joined by ``|``, the shared secret appended last
(not an HMAC). Field order per message type:

* ``INIT`` (portal → platform): LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|SoTien|LoaiHinhThanhToan|
  MaKenhThanhToan|MaThietBi|NgonNgu|MaTienTe|MaNganHang|ThongTinGiaoDich|ThoiGianGD|Ip|secret;
* ``QUERY`` and ``GET_BILL`` (portal → platform): LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|ThoiGianGD|secret;
* ``CONFIRM`` (platform → portal, the callback; also the QUERY answer): LoaiBanTin|MaLoi|MaDoiTac|
  MaThamChieu|SoTien|MaTienTe|MaGiaoDich|MaNganHang|ThoiGianGD|ThongTinGiaoDich|callback secret.

Amounts are whole đồng (``SoTien`` "150000", no ×100); times ``yyyyMMddHHmmss``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

VERSION = "1.0.6"
INIT, QUERY, GET_BILL, CONFIRM = "INIT", "QUERY", "GET_BILL", "CONFIRM"

INIT_FIELDS = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
QUERY_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
BILL_FIELDS = QUERY_FIELDS
CONFIRM_FIELDS = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
)
#: Our answer to a CONFIRM (the sources echo these fields; we sign ours, see the doc).
ANSWER_FIELDS = ("MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")

#: MaLoi "00" = success (both sources).
SUCCESS = "00"
#: TrangThaiGD of the status look-up: 1 paid, 3 pending (platform does not know yet), 4 failed.
TXN_PAID, TXN_PENDING, TXN_FAILED = "1", "3", "4"

FIELDS_BY_TYPE = {
    INIT: INIT_FIELDS,
    QUERY: QUERY_FIELDS,
    GET_BILL: BILL_FIELDS,
    CONFIRM: CONFIRM_FIELDS,
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def mac(message: Mapping[str, Any], fields: tuple[str, ...], secret: str) -> str:
    """``MaXacThuc``: SHA-256 over the fields joined by ``|``, the secret last."""
    if not secret:
        raise ValueError("no shared secret configured")
    raw = "|".join([*(_text(message.get(f)) for f in fields), secret])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def sign(message: dict[str, Any], fields: tuple[str, ...], secret: str) -> dict[str, Any]:
    message["MaXacThuc"] = mac(message, fields, secret)
    return message


def verify(message: Mapping[str, Any], fields: tuple[str, ...], secret: str) -> bool:
    """Constant-time check of ``MaXacThuc``; False when it or the secret is missing."""
    given = _text(message.get("MaXacThuc")).strip().lower()
    if not given or not secret:
        return False
    return hmac.compare_digest(given, mac(message, fields, secret))
