from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from procedures.constants import PaperKind, ServiceLevel, StepRole, TimeUnit
from procedures.models import Procedure, ProcedureFee, ProcedureStep, RequiredDocument, Sector
from procedures.services import procedure_publish


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A draft procedure; ``ProcedureFactory(published=True)`` publishes it (version 1)."""

    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    sector = factory.SubFactory(SectorFactory)
    level = ServiceLevel.LEVEL_3
    processing_time = Decimal("5")
    time_unit = TimeUnit.WORKING_DAYS

    class Params:
        published = factory.Trait(
            publish=factory.PostGeneration(
                lambda obj, create, extracted, **kw: create and procedure_publish(procedure=obj)
            )
        )

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)


class ProcedureFeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureFee

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Lệ phí"
    amount = Decimal("50000")


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    """``RequiredDocumentFactory(with_template=True)`` attaches a small PDF form template."""

    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Giấy tờ {n}")
    paper_kind = PaperKind.ORIGINAL

    class Params:
        with_template = factory.Trait(
            template_name="Tờ khai (mẫu TK-01)",
            template=factory.LazyFunction(
                lambda: ContentFile(b"%PDF-1.4\n% mau to khai\n%%EOF\n", name="evil name.PDF")
            ),
        )


class ProcedureStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureStep

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "Xử lý"
    role = StepRole.SPECIALIST
    share_percent = Decimal("100")
