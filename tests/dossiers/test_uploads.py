"""Upload checks: type by content, size, empty, damaged, name/content mismatch."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.core.uploads import safe_download_name, validate_upload


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Tờ khai đăng ký hộ kinh doanh</p>").write_pdf()


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_real_pdf_jpeg_png_are_accepted_with_type_from_content(pdf_bytes, settings):
    for name, data, mime in [
        ("to-khai.pdf", pdf_bytes, "application/pdf"),
        ("anh.JPG", _image("JPEG"), "image/jpeg"),
        ("scan.png", _image("PNG"), "image/png"),
    ]:
        checked = validate_upload(_upload(name, data))
        assert checked.content_type == mime
        assert checked.size == len(data)
        assert len(checked.sha256) == 64
        assert name not in checked.stored_name and checked.stored_name.endswith(
            "." + checked.extension
        )


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("rong.pdf", b"", "empty", "rỗng"),
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "bad_type", "không phải"),
        ("ghi-chu.pdf", "Xin chào".encode() * 50, "bad_type", "không phải"),
    ],
)
def test_wrong_or_empty_files_get_a_vietnamese_message(name, data, code, words):
    with pytest.raises(ValidationError) as err:
        validate_upload(_upload(name, data))
    assert err.value.code == code
    assert words in err.value.messages[0]
    assert name in err.value.messages[0]


def test_oversized_file_is_refused(pdf_bytes, settings):
    settings.UPLOAD_MAX_BYTES = len(pdf_bytes) - 1
    with pytest.raises(ValidationError) as err:
        validate_upload(_upload("to-khai.pdf", pdf_bytes))
    assert err.value.code == "too_large"
    assert "quá lớn" in err.value.messages[0]


def test_png_named_pdf_is_a_mismatch():
    with pytest.raises(ValidationError) as err:
        validate_upload(_upload("to-khai.pdf", _image("PNG")))
    assert err.value.code == "mismatch"
    assert "PNG" in err.value.messages[0]


def test_truncated_pdf_and_image_are_damaged(pdf_bytes):
    png = _image("PNG")
    cases = [
        ("cut.pdf", pdf_bytes[: len(pdf_bytes) // 2]),
        ("header-only.pdf", b"%PDF-1.7\n" + b"0" * 300 + b"\n%%EOF\n"),
        ("cut.png", png[: len(png) - 20]),
        ("cut.jpg", _image("JPEG")[:60]),
    ]
    for name, data in cases:
        with pytest.raises(ValidationError) as err:
            validate_upload(_upload(name, data))
        assert err.value.code == "damaged", name
        assert "hỏng" in err.value.messages[0]


def test_english_message_when_the_language_is_english():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as err:
        validate_upload(_upload("rong.png", b""))
    assert err.value.messages[0] == "The file “rong.png” is empty."


def test_download_name_has_no_path_or_quotes():
    assert safe_download_name('..\\..\\a"b;c.pdf') == "abc.pdf"
