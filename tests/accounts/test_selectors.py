"""can_submit_dossiers: the rule the dossiers app asks before an online submission."""

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.accounts.constants import Role
from portal.accounts.selectors import can_submit_dossiers
from tests.factories.accounts import ApplicantFactory, BusinessFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_who_may_submit_dossiers_online():
    assert can_submit_dossiers(ApplicantFactory())
    assert can_submit_dossiers(BusinessFactory())
    assert not can_submit_dossiers(ApplicantFactory(unverified=True))
    assert not can_submit_dossiers(ApplicantFactory(is_active=False))
    assert not can_submit_dossiers(
        StaffFactory(roles=[Role.CLERK], email_verified_at="2026-01-01T00:00+07:00")
    )
    assert not can_submit_dossiers(AnonymousUser())
