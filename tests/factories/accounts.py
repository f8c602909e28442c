import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from portal.accounts.constants import AccountKind
from portal.accounts.models import StaffRole, User

PASSWORD = "MatKhau2026"
# Hashing once keeps factories fast; every factory user logs in with PASSWORD.
_HASH = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    password = _HASH
    kind = AccountKind.CITIZEN
    citizen_id = factory.Sequence(lambda n: f"011{n:09d}")


class StaffFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    kind = AccountKind.STAFF
    citizen_id = ""
    agency = factory.SubFactory("tests.factories.agencies.AgencyFactory")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                StaffRole.objects.create(user=self, role=role)
            self._role_cache = None


class ApplicantFactory(UserFactory):
    """A citizen whose e-mail is verified (may submit dossiers); ``unverified=True`` for a new one."""

    email_verified_at = factory.LazyFunction(timezone.now)

    class Params:
        unverified = factory.Trait(email_verified_at=None)


class BusinessFactory(ApplicantFactory):
    kind = AccountKind.BUSINESS
    citizen_id = ""
    tax_code = "0100109106"
    organisation_name = factory.Sequence(lambda n: f"Công ty TNHH Thử nghiệm {n}")
