"""Steps of the two-portal exchange test, run INSIDE one portal instance with
``manage.py shell -c "from tests.documents.two_portals_driver import run; run('step', {...})"``.

Each step calls the document services as the people of that portal would (văn thư, leader with
a token-held key, specialist) and prints one JSON line with what the test needs to know.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

PIN = "246810"


def _pdf(title: str) -> bytes:
    from weasyprint import HTML

    html = f"""<html><head><meta charset="utf-8"><style>@page{{size:A4;margin:2cm}} body{{font-family:'Noto Serif'}}</style></head>
    <body><p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>
    <h3 style="text-align:center">{title}</h3><p>Nội dung văn bản liên thông.</p></body></html>"""
    return HTML(string=html).write_pdf()


def _people(code: str) -> dict[str, Any]:
    from portal.accounts.models import User

    return {u.username.split(".")[0]: u for u in User.objects.filter(username__endswith=f".{code}")}


def setup(*, province: str, province_name: str, roots_out: str) -> dict:
    """PKI (root, issuing CA, TSA at this instance's SITE_URL), the agencies, the staff."""
    from portal.accounts.constants import AccountKind, Role
    from portal.accounts.models import StaffRole, User
    from portal.agencies.constants import AgencyLevel
    from portal.agencies.models import Agency
    from signatures import services as signing

    rows = signing.pki_create()
    root = Agency.objects.create(
        code=f"000.00.00.{province}",
        name=f"UBND tỉnh {province_name}",
        level=AgencyLevel.PROVINCE,
        short_name="UBND",
    )
    office = Agency.objects.create(
        code=f"000.00.12.{province}",
        name=f"Sở Tư pháp tỉnh {province_name}",
        short_name="STP",
        level=AgencyLevel.DEPARTMENT,
        parent=root,
    )
    unit = Agency.objects.create(
        code=f"000.12.12.{province}",
        name="Phòng Hành chính tư pháp",
        level=AgencyLevel.DEPARTMENT,
        parent=office,
    )
    people = {}
    for name, role, department in (
        ("vanthu", Role.CLERICAL, None),
        ("lanhdao", Role.LEADER, None),
        ("chuyenvien", Role.SPECIALIST, unit),
    ):
        user = User.objects.create_user(
            username=f"{name}.{province}",
            email=f"{name}.{province.lower()}@example.vn",
            password="DienBien@2026",
            kind=AccountKind.STAFF,
            full_name=f"{name.title()} {province_name}",
            agency=office,
            department=department,
            position="Giám đốc" if role == Role.LEADER else "",
        )
        StaffRole.objects.create(user=user, role=role)
        people[name] = user.pk
    signing.certificate_issue_on_token(user=User.objects.get(pk=people["lanhdao"]), pin=PIN)
    Path(roots_out).write_bytes(rows["root"].certificate.public_bytes(serialization.Encoding.PEM))
    return {"office": office.code, "people": people}


def add_peer(*, name: str, organ_code: str, endpoint_url: str, roots_file: str) -> dict:
    from documents.models import ExchangePeer

    peer = ExchangePeer.objects.create(
        name=name,
        organ_code=organ_code,
        endpoint_url=endpoint_url,
        trust_roots_pem=Path(roots_file).read_text(),
    )
    return {"peer": peer.pk}


def send(*, office: str, to: str, subject: str, reply_to: str | None = None) -> dict:
    """Draft, attach the PDF, the leader signs on the token, the văn thư issues and sends."""
    from documents import services
    from documents.models import IncomingDocument
    from portal.agencies.models import Agency

    agency = Agency.objects.get(code=office)
    people = _people(office.rsplit(".", 1)[1])
    in_reply_to = (
        IncomingDocument.objects.get(agency=agency, document_id=reply_to) if reply_to else None
    )
    draft = services.outgoing_create_draft(
        agency=agency,
        actor=people["chuyenvien"],
        subject=subject,
        content="Đề nghị phối hợp.",
        place=agency.name.split("tỉnh ")[-1],
        signer_competence="KT. GIÁM ĐỐC",
        signer_position="Giám đốc",
        recipients=[to],
        in_reply_to=in_reply_to,
    )
    services.outgoing_add_attachment(
        document=draft,
        actor=people["chuyenvien"],
        data=_pdf(subject),
        name="van-ban.pdf",
        is_main=True,
    )
    services.outgoing_sign(document=draft, actor=people["lanhdao"], pin=PIN)
    services.outgoing_issue(document=draft, actor=people["vanthu"])
    services.outgoing_send(document=draft, actor=people["vanthu"])
    draft.refresh_from_db()
    return {"document_id": draft.document_id, "code": draft.code, "pk": draft.pk}


def process(*, office: str, document_id: str) -> dict:
    """Register (03), assign (04), start (05), done (06) — each reported back to the sender."""
    from documents import services
    from documents.models import IncomingDocument

    people = _people(office.rsplit(".", 1)[1])
    document = IncomingDocument.objects.get(agency__code=office, document_id=document_id)
    services.incoming_register(document=document, actor=people["vanthu"])
    services.incoming_assign(
        document=document,
        actor=people["lanhdao"],
        department=people["chuyenvien"].department,
        assignee=people["chuyenvien"],
        note="Xử lý ngay",
    )
    services.incoming_start(document=document, actor=people["chuyenvien"])
    services.incoming_complete(document=document, actor=people["chuyenvien"], note="Đã xử lý")
    document.refresh_from_db()
    return {"state": document.state, "book_number": document.book_number}


def recall(*, office: str, document_id: str, reason: str) -> dict:
    from documents import services
    from documents.models import OutgoingDocument

    people = _people(office.rsplit(".", 1)[1])
    document = services.outgoing_request_recall(
        document=OutgoingDocument.objects.get(document_id=document_id),
        actor=people["lanhdao"],
        reason=reason,
    )
    return {"recall_state": document.recall_state}


def answer_recall(*, office: str, document_id: str, accept: bool, reason: str = "") -> dict:
    from documents import services
    from documents.models import IncomingDocument

    people = _people(office.rsplit(".", 1)[1])
    document = IncomingDocument.objects.get(agency__code=office, document_id=document_id)
    document = services.incoming_answer_recall(
        document=document, actor=people["vanthu"], accept=accept, reason=reason
    )
    return {"state": document.state, "recall_state": document.recall_state}


def serve() -> None:
    """Read one JSON command per line from stdin (``{"step": .., "kwargs": {..}}``), answer one
    ``RESULT {...}`` or ``ERROR {...}`` line each: one Django start-up for the whole test."""
    import traceback

    from django.db import close_old_connections

    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        close_old_connections()
        try:
            result = globals()[command["step"]](**command.get("kwargs", {}))
            sys.stdout.write("RESULT " + json.dumps(result, ensure_ascii=False) + "\n")
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails with it
            sys.stdout.write(
                "ERROR "
                + json.dumps(
                    {"error": repr(exc), "traceback": traceback.format_exc()}, ensure_ascii=False
                )
                + "\n"
            )
        sys.stdout.flush()


# --- bench/edxml_exchange.py ------------------------------------------------------------------


def _big_pdf(size: int) -> bytes:
    """A one-page PDF of about ``size`` bytes: an incompressible noise image on the page."""
    import base64
    import io
    import os

    from PIL import Image
    from weasyprint import HTML

    side = int((size * 0.98 / 3) ** 0.5)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        buffer, format="PNG", compress_level=0
    )
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    html = f"""<html><head><meta charset="utf-8"><style>@page{{size:A4;margin:2cm}}</style></head>
    <body><p>Phụ lục bản đồ</p><img src="{uri}" style="width:15cm"></body></html>"""
    return HTML(string=html).write_pdf()


def bench_prepare(*, office: str, to: str, n: int, size: int) -> dict:
    """``n`` documents, each with its own ~``size``-byte main PDF signed by the leader on the
    token, issued by the văn thư: ready to send (not timed)."""
    from documents import services
    from portal.agencies.models import Agency

    agency = Agency.objects.get(code=office)
    people = _people(office.rsplit(".", 1)[1])
    pdf = _big_pdf(size)
    ids = []
    for i in range(n):
        draft = services.outgoing_create_draft(
            agency=agency,
            actor=people["chuyenvien"],
            subject=f"Bản đồ quy hoạch số {i}",
            recipients=[to],
            signer_competence="KT. GIÁM ĐỐC",
            signer_position="Giám đốc",
        )
        services.outgoing_add_attachment(
            document=draft, actor=people["chuyenvien"], data=pdf, name="ban-do.pdf", is_main=True
        )
        services.outgoing_sign(document=draft, actor=people["lanhdao"], pin=PIN)
        services.outgoing_issue(document=draft, actor=people["vanthu"])
        ids.append(draft.pk)
    from documents.models import OutgoingAttachment

    signed = OutgoingAttachment.objects.get(document_id=ids[0], is_main=True)
    return {"ids": ids, "pdf_bytes": len(pdf), "signed_bytes": signed.size}


def bench_send(*, ids: list[int]) -> dict:
    """The văn thư sends every prepared document (one outbox message each)."""
    from documents import services
    from documents.models import OutgoingDocument

    people = None
    for document in OutgoingDocument.objects.filter(pk__in=ids).select_related("agency"):
        people = people or _people(document.agency.code.rsplit(".", 1)[1])
        services.outgoing_send(document=document, actor=people["vanthu"])
    return {"sent": len(ids)}


def bench_envelopes(*, ids: list[int], out_dir: str) -> dict:
    """The signed envelope of each prepared document's recipient, written to ``out_dir`` (for
    timing the receiving side alone)."""
    from documents import exchange
    from documents.models import OutgoingRecipient

    paths = []
    for recipient in OutgoingRecipient.objects.filter(document_id__in=ids).select_related(
        "document__agency"
    ):
        path = Path(out_dir) / f"{recipient.document.document_id}.xml"
        path.write_bytes(exchange.document_envelope(recipient))
        paths.append(str(path))
    return {"paths": paths}
