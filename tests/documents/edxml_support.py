"""Shared material of the edXML tests: a province PKI built in memory (no database), agency
identities issued from it, a foreign CA, and a sample document."""

from __future__ import annotations

import datetime as dt
import functools
import os
import unicodedata

from cryptography import x509

from documents import edxml
from signatures import pki
from signatures.agency_keys import build_organisation_cert

VN = dt.timezone(dt.timedelta(hours=7))
MB = 1_000_000
LIMITS = {"max_attachment_bytes": 5 * MB, "max_envelope_bytes": 10 * MB}


class _AgencyLike:
    """What build_organisation_cert reads of an Agency (the pure tests need no database)."""

    def __init__(self, code: str, name: str, email: str = "") -> None:
        self.code, self.name, self.email = code, name, email


@functools.cache
def province() -> pki.PKIMaterial:
    return pki.generate(base_url="http://127.0.0.1:8000")


@functools.cache
def foreign() -> pki.PKIMaterial:
    return pki.generate(base_url="http://foreign.example", province="Lai Châu")


@functools.cache
def identity(
    code: str = "000.00.12.H18",
    name: str = "Sở Tư pháp tỉnh Điện Biên",
    *,
    material: str = "province",
) -> edxml.SigningIdentity:
    m = province() if material == "province" else foreign()
    key = pki.new_rsa_key()
    cert = build_organisation_cert(
        agency=_AgencyLike(code, name),
        public_key=key.public_key(),
        ca_cert=m.issuing_cert,
        ca_key=m.issuing_key,  # type: ignore[arg-type]
        ca_slug="issuing",
        endpoints=pki.Endpoints(m.base_url),
    )
    return edxml.SigningIdentity(key=key, chain=[cert, m.issuing_cert])


def roots() -> list[x509.Certificate]:
    return [province().root_cert]


def parse(data: bytes, **kwargs) -> edxml.Parsed:  # type: ignore[no-untyped-def]
    options = {"trust_roots": roots(), **LIMITS, **kwargs}
    return edxml.parse(data, **options)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@functools.cache
def megabyte() -> bytes:
    return os.urandom(MB)


def document(**overrides) -> edxml.DocumentMessage:  # type: ignore[no-untyped-def]
    values = {
        "document_id": "000.00.12.H18-2026-0000123",
        "from_organ": edxml.Organ(
            "000.00.12.H18",
            "Sở Tư pháp tỉnh Điện Biên",
            "Phường Mường Thanh, Điện Biên",
            "stp@dienbien.gov.vn",
            "0215 3825 000",
        ),
        "to_organs": [
            edxml.Organ("000.00.13.H18", "UBND xã Mường Phăng"),
            edxml.Organ("000.00.14.H18", "Sở Nội vụ"),
        ],
        "code_number": "123",
        "code_notation": "STP-VP",
        "place": "Điện Biên",
        "promulgation_date": dt.date(2026, 11, 23),
        "document_type": 1,
        "document_type_name": "Công văn",
        "subject": "Về việc rà soát thủ tục hành chính lĩnh vực hộ tịch năm 2026",
        "content": "Đề nghị các đơn vị rà soát, báo cáo trước ngày 01/12/2026.",
        "signer": edxml.SignerInfo("KT. GIÁM ĐỐC", "Phó Giám đốc", "Lò Văn Thắng"),
        "due_date": dt.date(2026, 12, 1),
        "to_places": ["Như trên;", "Lưu: VT, HCTP."],
        "priority": 1,
        "response_for": [
            edxml.ResponseFor(
                "000.00.13.H18", "45/UBND-VP", dt.date(2026, 11, 1), "000.00.13.H18-2026-45"
            )
        ],
        "attachments": [
            edxml.Attachment(
                "cong-van-123.pdf", "application/pdf", b"%PDF-1.7 signed", "Văn bản đã ký số"
            )
        ],
        "traces": [edxml.Trace("000.00.12.H18", dt.datetime(2026, 11, 23, 9, 30, tzinfo=VN))],
        "other_info": {"PageAmount": "2", "PromulgationAmount": "5"},
    }
    values.update(overrides)
    return edxml.DocumentMessage(**values)
