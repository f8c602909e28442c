"""Outgoing documents in each state, for the exchange tests (the signing itself is tested with a
real token in test_services_signing)."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from documents.constants import DocumentType, OutgoingState
from documents.models import OutgoingAttachment, OutgoingDocument
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory

#: A minimal one-page PDF (the transport does not look inside it).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class OutgoingDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingDocument
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(StaffFactory, agency=factory.SelfAttribute("..agency"))
    document_type = DocumentType.OFFICIAL_LETTER
    subject = factory.Sequence(lambda n: f"V/v triển khai chuyển đổi số năm 2026 ({n})")
    content = "Kính gửi các cơ quan, đơn vị."
    place = "Điện Biên"
    signer_competence = "KT. GIÁM ĐỐC"
    signer_position = "Phó Giám đốc"
    signer_name = "Lò Văn Thắng"

    class Params:
        signed = factory.Trait(
            state=OutgoingState.SIGNED, signed_at=factory.LazyFunction(timezone.now)
        )
        issued = factory.Trait(
            state=OutgoingState.ISSUED,
            signed_at=factory.LazyFunction(timezone.now),
            issued_at=factory.LazyFunction(timezone.now),
            number=factory.Sequence(lambda n: n + 1),
            notation="STP-VP",
            year=factory.LazyFunction(lambda: timezone.localdate().year),
            promulgation_date=factory.LazyFunction(timezone.localdate),
        )

    @factory.post_generation
    def main_pdf(self, create, extracted, **kwargs):
        if create and (extracted or self.state != OutgoingState.DRAFT):
            data = extracted if isinstance(extracted, bytes) else PDF
            import hashlib

            att = OutgoingAttachment(
                document=self,
                name="van-ban.pdf",
                content_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                is_main=True,
                is_signed=self.state != OutgoingState.DRAFT,
            )
            att.file.save("van-ban.pdf", ContentFile(data), save=False)
            att.save()
