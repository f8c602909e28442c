"""Issue 13 (Low): names were stored as typed, so a decomposed (NFD) "Nguyễn" was not found by a
search for the composed one. Names are NFC-normalised on input."""

from __future__ import annotations

import unicodedata

import pytest

from dossiers import services as dossier_services
from portal.accounts import services
from tests.dossiers.conftest import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hường"
DECOMPOSED = unicodedata.normalize("NFD", NAME)


def test_a_decomposed_name_is_stored_composed_at_registration():
    assert DECOMPOSED != NAME
    user = services.user_register(
        kind="citizen",
        full_name=DECOMPOSED,
        password="MatKhau2026x",
        email="nfd@example.vn",
        citizen_id="011095007777",
    )
    assert user.full_name == NAME


def test_a_decomposed_applicant_name_at_the_counter_is_found(world):  # noqa: F811
    dossier = dossier_services.dossier_create_at_counter(
        actor=world.clerk, procedure=world.procedure, applicant={"name": DECOMPOSED}
    )
    assert dossier.applicant_name == NAME
    from dossiers.models import Dossier

    assert Dossier.objects.filter(applicant_name__icontains="Hường").exists()
