"""Sign a one-page result at PAdES B-T / B-LT / B-LTA with a key on a SoftHSM2 token and a
time-stamp from the portal's own TSA over HTTP; both pdfsig and the portal's verifier agree."""

from __future__ import annotations

import pytest

from signatures import services
from signatures.constants import AuditKind
from signatures.models import AuditEvent
from signatures.verify import verify_pdf


@pytest.mark.parametrize("level", ["B-T", "B-LT", "B-LTA"])
def test_signed_result_is_valid_for_pdfsig_and_the_portal(
    official, pin, one_page_pdf, pdfsig, level
):
    signed = services.sign_pdf(
        pdf_bytes=one_page_pdf,
        signer_user=official,
        pin=pin,
        reason="Phê duyệt kết quả",
        location="Điện Biên Phủ",
        level=level,
    )

    text = pdfsig(signed)
    assert "Signature is Valid." in text, text
    assert "Certificate is Trusted." in text, text
    assert "Lò Văn Thắng" in text

    report = verify_pdf(signed)
    assert [s.verdict for s in report.signatures] == ["valid"]
    sig = report.signatures[0]
    assert sig.signer == "Lò Văn Thắng"
    assert sig.position == "Giám đốc"
    assert sig.timestamp_valid and sig.timestamp_time is not None
    assert len(sig.chain) == 3
    assert AuditEvent.objects.filter(kind=AuditKind.SIGN, actor=official).count() == 1
