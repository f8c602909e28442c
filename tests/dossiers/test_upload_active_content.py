"""Issue 13 (Low): a PDF with JavaScript and a JPEG with HTML appended were accepted.

Both are refused with a message now (a PDF's scripts, launch actions and embedded files; any data
after an image's end marker), while ordinary PDFs and images still pass.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.core.uploads import validate_upload


def _pdf(extra_catalog: bytes = b"") -> bytes:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    )
    return out.getvalue()


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, "JPEG")
    return buf.getvalue()


def test_plain_pdf_and_jpeg_pass():
    assert validate_upload(SimpleUploadedFile("a.pdf", _pdf())).content_type == "application/pdf"
    assert (
        validate_upload(SimpleUploadedFile("a.pdf", _pdf(b"/OpenAction [3 0 R /Fit]"))).content_type
        == "application/pdf"
    )
    assert validate_upload(SimpleUploadedFile("a.jpg", _jpeg())).content_type == "image/jpeg"


@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>",
        b"/Names << /JavaScript << /Names [(x) << /S /JavaScript /JS (1) >>] >> >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
    ],
)
def test_a_pdf_with_active_content_is_refused(extra):
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile("a.pdf", _pdf(extra)))
    assert exc.value.code == "active_content"


def test_a_jpeg_with_html_appended_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_upload(
            SimpleUploadedFile("a.jpg", _jpeg() + b"<html><script>alert(1)</script></html>")
        )
    assert exc.value.code == "trailing_data"
