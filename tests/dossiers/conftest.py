"""Fixtures of the dossier tests: a department with its one-stop clerk, a division with a
specialist and a leader, another agency's staff, a citizen, a published procedure, and helpers
that drive a dossier through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.models import Dossier
from portal.accounts.constants import Role
from portal.agencies.constants import AgencyLevel
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.dossiers import CitizenFactory, ProcedureFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _minimal_pdf() -> bytes:
    """A valid one-page PDF (correct xref offsets), small enough to write by hand."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PDF = _minimal_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fill_supplement_slots(dossier: Dossier, actor: Any) -> None:
    """A file in the slot of every item of the open supplement request (what the answer needs)."""
    request = dossier.supplement_requests.filter(answered_at__isnull=True).latest("requested_at")
    for index, _item in enumerate(request.items):
        services.dossier_add_file(
            dossier=dossier,
            actor=actor,
            uploaded_file=pdf(f"bo-sung-{index}.pdf"),
            supplement_item=index,
        )


@dataclass
class World:
    agency: Any
    division: Any
    other_agency: Any
    clerk: Any
    specialist: Any
    leader: Any
    other_clerk: Any
    other_leader: Any
    citizen: Any
    other_citizen: Any
    procedure: Any

    def draft(self, citizen: Any = None) -> Dossier:
        citizen = citizen or self.citizen
        dossier = services.dossier_save_draft(
            actor=citizen, procedure=self.procedure, agency=self.agency, form_data={"note": "x"}
        )
        doc_id = dossier.procedure_version.snapshot["documents"][0]["id"]
        services.dossier_add_file(
            dossier=dossier, actor=citizen, uploaded_file=pdf(), document_id=doc_id
        )
        return dossier

    def submitted(self, citizen: Any = None) -> Dossier:
        return services.dossier_submit(dossier=self.draft(citizen), actor=citizen or self.citizen)

    def received(self) -> Dossier:
        return services.dossier_receive(dossier=self.submitted(), actor=self.clerk)

    def examining(self) -> Dossier:
        return services.dossier_assign(
            dossier=self.received(),
            actor=self.clerk,
            department=self.division,
            assignee=self.specialist,
        )

    def awaiting_approval(self) -> Dossier:
        return services.dossier_forward_for_approval(
            dossier=self.examining(), actor=self.specialist, leader=self.leader
        )

    def processed(self) -> Dossier:
        return services.dossier_approve(dossier=self.awaiting_approval(), actor=self.leader)

    def returned(self) -> Dossier:
        return services.dossier_return_result(dossier=self.processed(), actor=self.clerk)


@pytest.fixture
def world(db) -> World:
    agency = AgencyFactory(name="Sở Tư pháp", receiving_code="G09.20")
    division = AgencyFactory(
        name="Phòng Hành chính tư pháp", parent=agency, level=AgencyLevel.DIVISION
    )
    other = AgencyFactory(name="Sở Xây dựng")
    return World(
        agency=agency,
        division=division,
        other_agency=other,
        clerk=StaffFactory(agency=agency, roles=[Role.CLERK]),
        specialist=StaffFactory(agency=agency, department=division, roles=[Role.SPECIALIST]),
        leader=StaffFactory(agency=agency, department=division, roles=[Role.LEADER]),
        other_clerk=StaffFactory(agency=other, roles=[Role.CLERK]),
        other_leader=StaffFactory(agency=other, roles=[Role.LEADER, Role.SPECIALIST]),
        citizen=CitizenFactory(
            citizen_id="011200004321", phone="0912345678", address="Số 12, phường Mường Thanh"
        ),
        other_citizen=CitizenFactory(),
        procedure=ProcedureFactory(agency=agency),
    )


@pytest.fixture
def working_morning():
    """Tuesday 9 June 2026, 09:00 in Điện Biên: an ordinary working day."""
    with time_machine.travel(datetime(2026, 6, 9, 9, 0, tzinfo=VN), tick=True) as traveller:
        yield traveller
