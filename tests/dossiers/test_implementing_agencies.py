"""Only the procedure's implementing agencies, at the levels it applies to, are offered and accepted
(issue 14: every department was offered, and a submission to Sở Y tế accepted, for a procedure of
Sở Tư pháp alone). Decree 118/2025 art. 11: a dossier goes to the agency competent for it."""

import pytest
from django.urls import reverse

from dossiers import services
from dossiers.exceptions import DossierError
from portal.agencies.constants import AgencyLevel
from procedures.selectors import implementing_agencies
from tests.factories.agencies import AgencyFactory
from tests.factories.dossiers import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_a_department_procedure_is_offered_and_accepted_at_its_department_only(world, client):
    procedure = world.procedure
    procedure.agency_levels = [AgencyLevel.DEPARTMENT]
    procedure.save()
    health = AgencyFactory(name="Sở Y tế", level=AgencyLevel.DEPARTMENT)
    assert list(implementing_agencies(procedure)) == [world.agency]

    client.force_login(world.citizen)
    page = client.get(reverse("dossiers:submit", args=[procedure.code])).content.decode()
    assert "Sở Y tế" not in page and "Sở Tư pháp" in page
    with pytest.raises(DossierError):
        services.dossier_save_draft(actor=world.citizen, procedure=procedure, agency=health)
    assert services.dossier_save_draft(
        actor=world.citizen, procedure=procedure, agency=world.agency
    ).pk


def test_a_commune_procedure_without_named_agencies_is_offered_at_every_commune(world):
    a = AgencyFactory(name="UBND xã A", level=AgencyLevel.COMMUNE)
    b = AgencyFactory(name="UBND phường B", level=AgencyLevel.COMMUNE)
    AgencyFactory(name="Sở Nội vụ", level=AgencyLevel.DEPARTMENT)
    procedure = ProcedureFactory(agency_levels=[AgencyLevel.COMMUNE])
    procedure.agencies.clear()
    assert list(implementing_agencies(procedure)) == [b, a]  # sorted by name
