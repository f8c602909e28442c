"""Dossier factories with a trait per workflow state.

``DossierFactory()`` is a draft; ``DossierFactory(submitted=True)`` status 1, ``(received=True)``
status 2 with a code and an appointment date, ``(in_progress=True)`` status 4 at a department,
``(examining=True)`` assigned to a specialist, ``(awaiting_approval=True)``,
``(supplement_requested=True)``, ``(processed=True)`` 9, ``(returned=True)`` 10.
Traits set the fields directly (fast, no history rows); to get real history, call the services
in :mod:`dossiers.services` as the tests in ``tests/dossiers`` do.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from dossiers.constants import Channel, DossierStatus, Stage
from dossiers.models import Dossier, DossierFile
from portal.accounts.constants import AccountKind, Role
from procedures.constants import ServiceLevel, StepRole, TimeUnit
from procedures.models import Procedure, ProcedureStep, RequiredDocument, Sector
from procedures.services import procedure_publish
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.agencies import AgencyFactory


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LV{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A published level-4 procedure of 5 working days with two required documents and the usual
    four steps; its current :class:`ProcedureVersion` exists (published)."""

    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    sector = factory.SubFactory(SectorFactory)
    level = ServiceLevel.LEVEL_4
    processing_time = Decimal("5")
    time_unit = TimeUnit.WORKING_DAYS

    @factory.post_generation
    def agency(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.add(extracted)

    @factory.post_generation
    def publish(self, create, extracted, **kwargs):
        if not create:
            return
        RequiredDocument.objects.create(procedure=self, order=1, name="Tờ khai (bản chính)")
        RequiredDocument.objects.create(
            procedure=self, order=2, name="Giấy tờ tùy thân (bản sao)", is_required=False
        )
        for order, name, role, share in [
            (1, "Tiếp nhận hồ sơ", StepRole.CLERK, "10"),
            (2, "Thẩm định hồ sơ", StepRole.SPECIALIST, "60"),
            (3, "Phê duyệt", StepRole.LEADER, "20"),
            (4, "Trả kết quả", StepRole.CLERK, "10"),
        ]:
            ProcedureStep.objects.create(
                procedure=self, order=order, name=name, role=role, share_percent=Decimal(share)
            )
        if extracted is not False:
            procedure_publish(procedure=self)
            self.refresh_from_db()


class CitizenFactory(UserFactory):
    """An applicant with a verified e-mail (may submit online)."""

    kind = AccountKind.CITIZEN
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    email_verified_at = factory.LazyFunction(timezone.now)


def _version(o):
    return o.procedure.versions.order_by("-version").first()


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    class Params:
        agency = factory.SubFactory(AgencyFactory)
        submitted = factory.Trait(
            status=DossierStatus.NEW,
            stage=Stage.INTAKE,
            submitted_at=factory.LazyFunction(timezone.now),
        )
        received = factory.Trait(
            submitted=True,
            status=DossierStatus.RECEIVED,
            stage=Stage.ASSIGNMENT,
            code=factory.Sequence(lambda n: f"T00.00-20260609-{n + 1:07d}"),
            received_at=factory.LazyFunction(timezone.now),
            counting_start=factory.LazyFunction(timezone.now),
            due_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7)),
        )
        in_progress = factory.Trait(
            received=True,
            status=DossierStatus.IN_PROGRESS,
            stage=Stage.ASSIGNMENT,
            handling_department=factory.SelfAttribute("receiving_agency"),
        )
        examining = factory.Trait(
            in_progress=True,
            stage=Stage.EXAMINATION,
            assigned_to=factory.SubFactory(
                StaffFactory,
                agency=factory.SelfAttribute("..receiving_agency"),
                roles=[Role.SPECIALIST],
            ),
        )
        awaiting_approval = factory.Trait(in_progress=True, stage=Stage.APPROVAL)
        supplement_requested = factory.Trait(
            in_progress=True,
            status=DossierStatus.SUPPLEMENT_REQUESTED,
            stage=Stage.EXAMINATION,
            paused_at=factory.LazyFunction(timezone.now),
            resume_status=DossierStatus.IN_PROGRESS,
            resume_stage=Stage.EXAMINATION,
            supplement_cycles=1,
        )
        processed = factory.Trait(
            in_progress=True,
            status=DossierStatus.PROCESSED,
            stage=Stage.RESULT,
            finished_at=factory.LazyFunction(timezone.now),
            timeliness="early",
        )
        returned = factory.Trait(
            processed=True,
            status=DossierStatus.RETURNED,
            stage=Stage.CLOSED,
            returned_at=factory.LazyFunction(timezone.now),
            result_delivery="counter",
        )
        overdue = factory.Trait(
            received=True,
            due_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )

    receiving_agency = factory.SelfAttribute("agency")
    procedure = factory.LazyAttribute(lambda o: ProcedureFactory(agency=o.agency))
    procedure_version = factory.LazyAttribute(_version)
    applicant = factory.SubFactory(CitizenFactory)
    applicant_name = factory.LazyAttribute(
        lambda o: o.applicant.full_name if o.applicant else "Lò Văn Pâng"
    )
    applicant_citizen_id = factory.LazyAttribute(
        lambda o: o.applicant.citizen_id if o.applicant else "011200001234"
    )
    applicant_phone = factory.LazyAttribute(
        lambda o: o.applicant.phone if o.applicant else "0912345678"
    )
    applicant_email = factory.LazyAttribute(lambda o: o.applicant.email if o.applicant else "")
    applicant_address = "Tổ dân phố 5, phường Mường Thanh, tỉnh Điện Biên"
    channel = Channel.ONLINE
    status = DossierStatus.DRAFT
    stage = Stage.DRAFT
    form_data = factory.LazyFunction(dict)


class DossierFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierFile

    dossier = factory.SubFactory(DossierFactory)
    document_id = None
    document_name = "Tờ khai (bản chính)"
    file = factory.django.FileField(
        filename="to-khai.pdf", data=b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    original_name = "to-khai.pdf"
    content_type = "application/pdf"
    size = 44
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
