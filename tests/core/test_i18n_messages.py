"""Messages in the reader's language (issue 12): one English msgid through gettext, the Vietnamese in
the app's catalogue; never a "Tiếng Việt / English" literal that shows both languages at once.

The page shows a message in the reader's language (the switch's cookie, else Vietnamese), the API
in the request's ``Accept-Language`` with a stable ``code``; what is stored (payment notes, case
reasons) and what peer agencies read (edXML status descriptions and rejections, QCVN 102:2016) is
written once, in Vietnamese (docs/architecture.md, "Errors and languages").
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from rest_framework.test import APIClient

from tests.dossiers.conftest import working_morning, world  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "var", "node_modules", "staticfiles", ".git", "bench", "docs"}
VI_LETTERS = set("ạảãáàâấầẩẫậăắằẳẵặđẹẻẽéèêếềểễệịỉĩíìọỏõóòôốồổỗộơớờởỡợụủũúùưứừửữựỵỷỹýỳ")
VI_LETTERS |= {c.upper() for c in VI_LETTERS}


def bilingual(text: str) -> bool:
    """ "<Vietnamese> / <English>": a Vietnamese half (diacritics) before " / " and an English half
    (a Latin word, no Vietnamese letter) after it. "Chủ tịch / Phó Chủ tịch" is Vietnamese only."""
    parts = text.split(" / ")
    return any(
        VI_LETTERS & set(left)
        and re.match(r"[A-Za-z]", right)
        and not VI_LETTERS & set(right)
        and re.search(r"[a-z]{2,}", right)
        for left, right in zip(parts, parts[1:], strict=False)
    )


def _literals(tree: ast.AST):
    """(line, text) of every string literal but docstrings; an f-string's fields read as "{}" and
    implicitly concatenated pieces as one string (as Python joins them)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
            yield (
                node.lineno,
                "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values),
            )
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def production_sources() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIP or "migrations" in rel.parts:
            continue
        found.append(path)
    return sorted(found)


def test_the_scanner_sees_a_bilingual_literal_and_spares_vietnamese_alternatives():
    assert bilingual("Hồ sơ không có khoản phí nào phải nộp. / The dossier has no fee to pay.")
    assert bilingual("Mã hồ sơ / dossier code")
    assert bilingual("Không có cơ quan mã {} / No agency with code {}")
    assert not bilingual("Chủ tịch / Phó Chủ tịch UBND xã")
    assert not bilingual("Thẻ căn cước / Căn cước công dân của người yêu cầu")
    assert not bilingual("The dossier has no fee to pay.")
    tree = ast.parse('x = (\n    "Số tiền không hợp lệ. "\n    "/ Invalid amount."\n)\n')
    assert [bilingual(s) for _line, s in _literals(tree)] == [True]


def test_no_bilingual_literal_in_production_code():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text[:80]!r}"
        for path in production_sources()
        for line, text in _literals(ast.parse(path.read_text(encoding="utf-8")))
        if bilingual(text)
    ]
    assert not offenders, "one English msgid through gettext instead:\n" + "\n".join(offenders)


#: The messages that were "Tiếng Việt / English" literals, with their Vietnamese (app catalogues).
MESSAGES = [
    ("The dossier has no fee to pay.", "Hồ sơ không có khoản phí nào phải nộp."),
    ("The amount must equal the amount due.", "Số tiền phải bằng khoản phải nộp."),
    ("Invalid amount.", "Số tiền không hợp lệ."),
    ("Only the applicant can pay online.", "Chỉ người nộp hồ sơ mới thanh toán trực tuyến được."),
    (
        "Only a one-stop clerk records counter payments.",
        "Chỉ công chức Một cửa ghi nhận thanh toán tại quầy.",
    ),
    ("Receipt not found.", "Không tìm thấy biên lai."),
    (
        "Dossier no longer awaiting payment: refund needed.",
        "Hồ sơ không còn chờ thanh toán: cần hoàn tiền.",
    ),
    ("Paid in full (%(reference)s)", "Đã nộp đủ (%(reference)s)"),
    ("This stored document has expired.", "Giấy tờ trong kho đã hết hạn."),
    ("This document is not part of the procedure.", "Giấy tờ không thuộc thủ tục này."),
    ("Dossier history cannot be changed.", "Lịch sử hồ sơ không được sửa."),
    ("Dossier history cannot be deleted.", "Lịch sử hồ sơ không được xoá."),
    ("Document history cannot be changed.", "Lịch sử văn bản không được sửa."),
    ("Document history cannot be deleted.", "Lịch sử văn bản không được xoá."),
    ("No dossier %(code)s.", "Không có hồ sơ %(code)s."),
    ("No agency with code %(code)s.", "Không có cơ quan mã %(code)s."),
    ("The unit code must look like 000.00.xx.Hnn.", "Mã đơn vị phải có dạng 000.00.xx.Hnn."),
    ("An agency cannot be its own ancestor.", "Một cơ quan không thể là cấp trên của chính nó."),
    ("Invalid procedure code.", "Mã thủ tục không hợp lệ."),
    ("%(count)d rows are valid.", "%(count)d dòng hợp lệ."),
    ("A reason is required.", "Lý do là bắt buộc."),
    ("The file is too large.", "Tệp quá lớn."),
    ("Superseded by the open transaction.", "Thay bằng giao dịch đang mở."),
    ("The request body is too large.", "Dữ liệu gửi lên quá lớn."),
    ("Page not found.", "Không tìm thấy trang."),
    ("Access denied", "Không có quyền truy cập"),
    (
        "Something went wrong; it has been logged.",
        "Đã có lỗi xảy ra. Chúng tôi đã ghi nhận và sẽ khắc phục.",
    ),
    ("Internal error, please try again later.", "Lỗi hệ thống, vui lòng thử lại sau."),
]
EDXML_STATUSES = [
    ("Reached", "Đã đến"),
    ("Rejected", "Từ chối tiếp nhận"),
    ("Accepted and registered", "Đã tiếp nhận, vào sổ"),
    ("Assigned", "Đã phân công xử lý"),
    ("In progress", "Đang xử lý"),
    ("Done", "Đã hoàn thành"),
    ("Recall/update request received", "Đã nhận yêu cầu thu hồi/cập nhật"),
    ("Recall/update accepted", "Đồng ý thu hồi/cập nhật"),
    ("Recall/update refused", "Từ chối thu hồi/cập nhật"),
]


@pytest.mark.parametrize(("msgid", "vi"), MESSAGES, ids=[m for m, _v in MESSAGES])
def test_the_former_bilingual_messages_are_in_the_catalogues(msgid: str, vi: str):
    with translation.override("vi"):
        assert gettext(msgid) == vi
    with translation.override("en"):
        assert gettext(msgid) == msgid


def test_peers_read_the_qcvn_102_status_descriptions_in_vietnamese():
    """QCVN 102:2016: the status message's description, read by the sender's (Vietnamese) staff;
    sent in Vietnamese whatever the language of the request that caused it."""
    from documents.exchange import STATUS_DESCRIPTIONS, status_description

    assert len(STATUS_DESCRIPTIONS) == len(EDXML_STATUSES)
    for (code, _lazy), (msgid, vi) in zip(STATUS_DESCRIPTIONS.items(), EDXML_STATUSES, strict=True):
        with translation.override("vi"):
            assert pgettext("edXML status", msgid) == vi
        with translation.override("en"):
            assert status_description(code) == vi
    assert status_description("99") == "99"


# --- the API in the request's language, the page in the reader's --------------------------------


@pytest.mark.parametrize(
    ("lang", "expected", "other"),
    [
        ("vi", "Số tiền phải bằng khoản phải nộp.", "The amount must equal the amount due."),
        ("en", "The amount must equal the amount due.", "Số tiền phải bằng khoản phải nộp."),
    ],
)
def test_a_service_refusal_reaches_the_api_in_the_requests_language_with_its_code(
    world, working_morning, lang, expected, other
):
    from dossiers import services

    dossier = world.received()
    services.dossier_request_payment(dossier=dossier, actor=world.clerk, amount=Decimal("50000"))
    api = APIClient()
    api.force_authenticate(world.clerk)
    response = api.post(
        reverse("dossiers-api-confirm-payment", args=[dossier.pk]),
        {"amount": "1000"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body == {"detail": expected, "code": "amount_mismatch"}
    assert response.content.decode().count(expected) == 1 and other not in response.content.decode()


@pytest.mark.parametrize(
    ("lang", "expected", "other"),
    [
        ("vi", "Dữ liệu gửi lên quá lớn", "too large"),
        ("en", "The request body is too large", "quá lớn"),
    ],
)
def test_the_size_limit_answers_before_the_language_middleware_in_the_right_language(
    client, lang, expected, other
):
    response = client.generic(
        "POST",
        "/api/v1/dossiers/",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(10**9),
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert body["detail"].count(expected) == 1 and other not in body["detail"]


def test_a_page_speaks_the_readers_language_not_the_browsers(client, settings):
    """People keep the Vietnamese-first rule (the cookie decides, not Accept-Language)."""
    path = "/thanh-toan/bien-lai/x%00/"
    vi = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert vi == "Không tìm thấy trang."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(path).content.decode() == "Page not found."


@pytest.mark.django_db
def test_stored_payment_notes_are_written_once_in_the_portals_language():
    from dossiers.payments.services import CASE_PAID_IN_FULL, stored_text

    with translation.override("en"):
        assert stored_text(CASE_PAID_IN_FULL, reference="TT-1") == "Đã nộp đủ (TT-1)"
