import factory
from django.contrib.auth.hashers import make_password

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
    kind = AccountKind.STAFF
    citizen_id = ""
    agency = factory.SubFactory("tests.factories.agencies.AgencyFactory")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                StaffRole.objects.create(user=self, role=role)
            self._role_cache = None
