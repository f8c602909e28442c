"""Staff accounts are created by an administrator: the admin form and the create_staff command."""

import pytest
from django.core.management import CommandError, call_command

from portal.accounts.constants import AccountKind, Role
from portal.accounts.models import User
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/accounts/user/add/"


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True))
    return client


def add_data(**overrides):
    data = {
        "username": "motcua.moi",
        "kind": AccountKind.STAFF,
        "full_name": "Nguyễn Văn Mới",
        "email": "moi@dienbien.gov.vn",
        "password1": "HoaBan#2026k",
        "password2": "HoaBan#2026k",
        "usable_password": "true",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": "clerk",
    }
    data.update(overrides)
    return data


def test_admin_refuses_a_staff_account_without_agency(admin_client):
    response = admin_client.post(ADD, add_data())
    assert response.status_code == 200
    assert "Tài khoản cán bộ phải thuộc một cơ quan." in response.content.decode()
    assert not User.objects.filter(username="motcua.moi").exists()


def test_admin_refuses_a_department_outside_the_agency(admin_client):
    agency, elsewhere = AgencyFactory(), AgencyFactory()
    response = admin_client.post(
        ADD, add_data(agency=agency.pk, department=AgencyFactory(parent=elsewhere).pk)
    )
    assert "Phòng/ban phải là đơn vị trực thuộc cơ quan đã chọn." in response.content.decode()
    assert not User.objects.filter(username="motcua.moi").exists()


def test_admin_creates_a_staff_account_with_roles(admin_client):
    agency = AgencyFactory()
    department = AgencyFactory(parent=agency)
    response = admin_client.post(ADD, add_data(agency=agency.pk, department=department.pk))
    assert response.status_code == 302
    user = User.objects.get(username="motcua.moi")
    assert (user.kind, user.agency, user.department, sorted(user.role_set)) == (
        AccountKind.STAFF,
        agency,
        department,
        ["clerk"],
    )


def test_admin_list_filters_by_role(admin_client):
    StaffFactory(username="lanhdao.x", roles=[Role.LEADER])
    StaffFactory(username="motcua.x", roles=[Role.CLERK])
    page = admin_client.get("/admin/accounts/user/?roles__role=leader").content.decode()
    assert "lanhdao.x" in page and "motcua.x" not in page


def test_a_clerk_cannot_open_the_admin(client):
    client.force_login(StaffFactory(roles=[Role.CLERK]))
    assert client.get(ADD).status_code == 302


def test_create_staff_command(capsys):
    agency = AgencyFactory(code="000.00.03.H18")
    division = AgencyFactory(code="000.01.03.H18", parent=agency)
    call_command(
        "create_staff",
        "chuyenvien.moi",
        "--agency",
        "000.00.03.H18",
        "--department",
        "000.01.03.H18",
        "--role",
        "specialist",
        "--role",
        "leader",
        "--full-name",
        "Trần Văn B",
    )
    out = capsys.readouterr().out
    assert "Initial password: " in out
    user = User.objects.get(username="chuyenvien.moi")
    assert user.check_password(out.split("Initial password: ")[1].strip())
    assert (user.agency, user.department, sorted(user.role_set), user.is_staff) == (
        agency,
        division,
        ["leader", "specialist"],
        False,
    )


def test_create_staff_refuses_bad_input():
    AgencyFactory(code="000.00.03.H18")
    with pytest.raises(CommandError, match="Không có cơ quan mã 000.00.99.H18"):
        call_command("create_staff", "x", "--agency", "000.00.99.H18", "--role", "clerk")
    other = AgencyFactory(code="000.00.04.H18")
    AgencyFactory(code="000.01.04.H18", parent=other)
    with pytest.raises(CommandError, match="department"):
        call_command(
            "create_staff",
            "x",
            "--agency",
            "000.00.03.H18",
            "--department",
            "000.01.04.H18",
            "--role",
            "clerk",
        )
    assert not User.objects.filter(username="x").exists()


def test_admin_change_form_refuses_turning_a_user_into_staff_without_agency(admin_client):
    from tests.factories.accounts import ApplicantFactory

    user = ApplicantFactory()
    url = f"/admin/accounts/user/{user.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in ((n, form[n].value()) for n in form.fields)
        if value is not None
    }
    data = {k: (v if not isinstance(v, bool) else ("on" if v else "")) for k, v in data.items()}
    data.update(
        {
            "kind": AccountKind.STAFF,
            "groups": [],
            "user_permissions": [],
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        }
    )
    data = {k: v for k, v in data.items() if v != ""}
    data.pop("password", None)
    data.pop("last_login", None)
    data.update(
        {"date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": "08:00:00"}
    )
    data.pop("date_joined", None)
    if user.email_verified_at:
        data.pop("email_verified_at", None)
        data.update({"email_verified_at_0": "2026-01-05", "email_verified_at_1": "08:00:00"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Tài khoản cán bộ phải thuộc một cơ quan." in response.content.decode()
    user.refresh_from_db()
    assert user.kind == AccountKind.CITIZEN
    # with an agency the same change is accepted
    data["agency"] = AgencyFactory().pk
    assert admin_client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert user.kind == AccountKind.STAFF


def test_admin_user_list_query_count_does_not_grow_with_users(
    admin_client, django_assert_max_num_queries
):
    for i in range(3):
        StaffFactory(roles=[Role.CLERK, Role.LEADER], username=f"staff{i}")
    with django_assert_max_num_queries(12) as few:
        admin_client.get("/admin/accounts/user/")
    for i in range(3, 15):
        StaffFactory(roles=[Role.CLERK], username=f"staff{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get("/admin/accounts/user/").content.decode()
    assert "staff14" in page
