import pytest

from portal.accounts.constants import Role
from tests.factories.accounts import ApplicantFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_me_for_anonymous_is_refused(client):
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_me_for_staff(client):
    staff = StaffFactory(roles=[Role.CLERK, Role.LEADER])
    client.force_login(staff)
    data = client.get("/api/v1/me/").json()
    assert data["username"] == staff.username
    assert data["kind"] == "staff"
    assert data["roles"] == ["clerk", "leader"]
    assert data["agency"] == {"code": staff.agency.code, "name": staff.agency.name}
    assert data["can_submit_dossiers"] is False


def test_me_for_citizen(client):
    client.force_login(ApplicantFactory(unverified=True, citizen_id="011095001234"))
    data = client.get("/api/v1/me/").json()
    assert (
        data["citizen_id"],
        data["roles"],
        data["agency"],
        data["email_verified"],
        data["can_submit_dossiers"],
    ) == ("011095001234", [], None, False, False)


def test_me_is_read_only(client):
    client.force_login(ApplicantFactory())
    assert client.post("/api/v1/me/", {"full_name": "x"}).status_code == 405
