"""Officials who sign, with a real key on a SoftHSM2 token."""

from __future__ import annotations

import factory

from signatures import services
from tests.factories.accounts import StaffFactory

PIN = "246810"


class OfficialFactory(StaffFactory):
    """A leader (lãnh đạo) with a position; ``with_certificate=True`` issues a token-held key."""

    class Meta:
        skip_postgeneration_save = True

    full_name = factory.Sequence(lambda n: f"Lò Văn Thắng {n}")
    position = "Phó Chủ tịch"

    @factory.post_generation
    def with_certificate(self, create, extracted, **kwargs):
        if create and extracted:
            services.certificate_issue_on_token(user=self, pin=kwargs.get("pin", PIN))
