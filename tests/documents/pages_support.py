"""Shared material of the document page tests: two agencies of the portal (the first with a
department), their clerical office, leader and specialist, a citizen, and helpers that drive
documents through the real services of :mod:`documents.services`.

An envelope "arriving from the exchange" is written here as the row the exchange receiver stores
(state ``received``, source ``exchange``, with an attachment): the receiver itself is the docs
engineer's and tested by the exchange tests; the pages only read what it stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents import services, ui_services
from documents.constants import DocumentType, IncomingSource, IncomingState, StatusCode, Urgency
from documents.models import IncomingDocument, OutgoingDocument, RecipientStatus
from portal.accounts.constants import Role
from portal.agencies.constants import AgencyLevel
from tests.dossiers.conftest import PDF, PNG  # a valid one-page PDF written by hand
from tests.factories.accounts import ApplicantFactory, StaffFactory
from tests.factories.agencies import AgencyFactory

__all__ = ["PDF", "PNG", "World", "make_world", "pdf_upload"]


def pdf_upload(name: str = "van-ban.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@dataclass
class World:
    agency: Any
    department: Any
    other_agency: Any
    clerical: Any
    leader: Any
    specialist: Any
    other_clerical: Any
    other_leader: Any
    clerk: Any  # one-stop clerk: staff, but no document role
    citizen: Any

    # --- outgoing ---------------------------------------------------------------------------

    def draft(
        self,
        *,
        subject: str = "V/v báo cáo tình hình cải cách hành chính quý II",
        recipients: list | None = None,
        urgency: int = Urgency.NORMAL,
        document_type: int = DocumentType.OFFICIAL_LETTER,
        submitted: bool = False,
        in_reply_to: IncomingDocument | None = None,
    ) -> OutgoingDocument:
        document = ui_services.outgoing_draft_with_files(
            agency=self.agency,
            actor=self.specialist,
            recipients=recipients or [self.other_agency.code],
            fields={
                "subject": subject,
                "document_type": document_type,
                "urgency": urgency,
                "in_reply_to": in_reply_to,
            },
            main_file=("du-thao.pdf", PDF),
            appendices=[],
        )
        if submitted:
            ui_services.outgoing_submit_for_signature(document=document, actor=self.specialist)
        return document

    def signed(self, **kwargs: Any) -> OutgoingDocument:
        """A draft marked signed as :func:`documents.services.outgoing_sign` leaves it (the real
        signature needs the PKI and a token: see the signing page test)."""
        document = self.draft(submitted=True, **kwargs)
        main = document.attachments.get(is_main=True)
        main.is_signed = True
        main.save(update_fields=["is_signed"])
        OutgoingDocument.objects.filter(pk=document.pk).update(
            state="signed",
            signer=self.leader,
            signed_at=timezone.now(),
            signer_name=self.leader.full_name,
            signer_position="Giám đốc",
        )
        return OutgoingDocument.objects.get(pk=document.pk)

    def issued(self, **kwargs: Any) -> OutgoingDocument:
        return services.outgoing_issue(document=self.signed(**kwargs), actor=self.clerical)

    def sent(self, **kwargs: Any) -> OutgoingDocument:
        document = self.issued(**kwargs)
        services.outgoing_send(document=document, actor=self.clerical)
        return OutgoingDocument.objects.get(pk=document.pk)

    def report(
        self, document: OutgoingDocument, *codes: str, organ_code: str | None = None
    ) -> None:
        """Record statuses as the exchange stores them when a recipient reports back."""
        recipient = document.recipients.get(organ_code=organ_code or self.other_agency.code)
        for i, code in enumerate(codes):
            at = timezone.now() + timezone.timedelta(seconds=i)
            RecipientStatus.objects.create(
                recipient=recipient,
                code=code,
                at=at,
                description=f"trạng thái {code}",
                staff_name="Lò Thị Thu",
            )
            recipient.status_code, recipient.status_at = code, at
        recipient.save()

    # --- incoming ---------------------------------------------------------------------------

    def arrived(
        self,
        *,
        subject: str = "V/v đề nghị phối hợp kiểm tra hồ sơ đăng ký hộ tịch",
        agency: Any = None,
        urgency: int = Urgency.URGENT,
    ) -> IncomingDocument:
        agency = agency or self.agency
        document = IncomingDocument.objects.create(
            agency=agency,
            from_organ_code="000.00.52.H18",
            from_organ_name="UBND phường Mường Thanh",
            code_number="45",
            code_notation="UBND-VP",
            promulgation_date=date(2026, 6, 1),
            subject=subject,
            document_type=DocumentType.OFFICIAL_LETTER,
            document_type_name="Công văn",
            urgency=urgency,
            signer_name="Cà Văn Dũng",
            signer_position="Chủ tịch",
            source=IncomingSource.EXCHANGE,
            state=IncomingState.RECEIVED,
            document_id=f"doc-{IncomingDocument.objects.count() + 1}-{agency.pk}",
        )
        services.store_incoming_attachment(
            document, name="cong-van-45.pdf", content_type="application/pdf", data=PDF
        )
        return document

    def registered(self, **kwargs: Any) -> IncomingDocument:
        return services.incoming_register(document=self.arrived(**kwargs), actor=self.clerical)

    def assigned(self, **kwargs: Any) -> IncomingDocument:
        return services.incoming_assign(
            document=self.registered(**kwargs),
            actor=self.leader,
            department=self.department,
            assignee=self.specialist,
        )

    def recall_requested(self, *, steering: int = 2) -> IncomingDocument:
        document = self.assigned()
        IncomingDocument.objects.filter(pk=document.pk).update(
            recall_state="requested", recall_steering=steering, recall_reason="Sai số liệu"
        )
        return IncomingDocument.objects.get(pk=document.pk)


def make_world() -> World:
    agency = AgencyFactory(name="Sở Tư pháp", short_name="STP")
    department = AgencyFactory(
        name="Phòng Hành chính tư pháp", parent=agency, level=AgencyLevel.DIVISION
    )
    other = AgencyFactory(name="Sở Xây dựng", short_name="SXD")
    return World(
        agency=agency,
        department=department,
        other_agency=other,
        clerical=StaffFactory(agency=agency, full_name="Đỗ Thị Lan", roles=[Role.CLERICAL]),
        leader=StaffFactory(
            agency=agency, full_name="Lường Văn Sơn", position="Phó Giám đốc", roles=[Role.LEADER]
        ),
        specialist=StaffFactory(
            agency=agency, department=department, full_name="Trần Văn Minh", roles=[Role.SPECIALIST]
        ),
        other_clerical=StaffFactory(agency=other, roles=[Role.CLERICAL]),
        other_leader=StaffFactory(agency=other, roles=[Role.LEADER]),
        clerk=StaffFactory(agency=agency, roles=[Role.CLERK]),
        citizen=ApplicantFactory(),
    )


STATUS_FLOW = (StatusCode.REACHED, StatusCode.ACCEPTED, StatusCode.ASSIGNED)
