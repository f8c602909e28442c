import factory

from portal.agencies.constants import AgencyLevel
from portal.agencies.models import Agency


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(
        lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.{(n // 100000) % 100:02d}.H18"
    )
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    level = AgencyLevel.DEPARTMENT
    parent = None

    class Params:
        province = factory.Trait(
            level=AgencyLevel.PROVINCE, name="UBND tỉnh Điện Biên", code="000.00.00.H18"
        )
        commune = factory.Trait(level=AgencyLevel.COMMUNE)
