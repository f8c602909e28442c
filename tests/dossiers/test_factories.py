import pytest

from dossiers.constants import DossierStatus, Stage
from tests.factories.dossiers import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("trait", "status", "stage"),
    [
        ("submitted", DossierStatus.NEW, Stage.INTAKE),
        ("received", DossierStatus.RECEIVED, Stage.ASSIGNMENT),
        ("examining", DossierStatus.IN_PROGRESS, Stage.EXAMINATION),
        ("awaiting_approval", DossierStatus.IN_PROGRESS, Stage.APPROVAL),
        ("supplement_requested", DossierStatus.SUPPLEMENT_REQUESTED, Stage.EXAMINATION),
        ("processed", DossierStatus.PROCESSED, Stage.RESULT),
        ("returned", DossierStatus.RETURNED, Stage.CLOSED),
    ],
)
def test_traits_give_consistent_states(trait, status, stage):
    dossier = DossierFactory(**{trait: True})
    assert (dossier.status, dossier.stage) == (status, stage)
    assert dossier.procedure_version.procedure == dossier.procedure
    assert dossier.procedure.agencies.filter(pk=dossier.receiving_agency_id).exists()
    if status >= DossierStatus.RECEIVED:
        assert dossier.code and dossier.due_at
    if trait == "examining":
        assert dossier.assigned_to.agency == dossier.receiving_agency
