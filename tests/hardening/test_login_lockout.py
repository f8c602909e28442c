"""Issue 13 (High): the lockout counts on the account, whatever spelling of its name is typed.

The attack: 50 wrong passwords through 10 case variants of one e-mail (5 each, under the limit of
each variant), then the right password logged in — for a citizen, a leader, the superuser on
/admin/login/ and API Basic auth. Here every variant counts on the same account.
"""

import base64

import pytest
from django.conf import settings
from django.test import Client

from portal.accounts.constants import Role
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
WRONG = "SaiMatKhau1"


def _variants(name: str, n: int) -> list[str]:
    """n distinct case variants of ``name`` (the attacker's trick)."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    out = []
    for mask in range(n):
        chars = list(name)
        for bit, pos in enumerate(letters):
            if mask >> bit & 1:
                chars[pos] = chars[pos].swapcase()
        out.append("".join(chars))
    assert len(set(out)) == n
    return out


def _basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def test_case_variants_of_an_email_share_one_count(password):
    user = ApplicantFactory(email="an.nguyen@example.vn")
    attacker = Client(REMOTE_ADDR="10.1.0.1")
    for variant in _variants("an.nguyen@example.vn", settings.AXES_FAILURE_LIMIT):
        attacker.post(LOGIN, {"username": variant, "password": WRONG})
    locked = attacker.post(LOGIN, {"username": "AN.NGUYEN@EXAMPLE.VN", "password": password})
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session
    # the account's username counts on the same account too
    assert (
        attacker.post(LOGIN, {"username": user.username, "password": password}).status_code == 429
    )


def test_phone_spellings_share_one_count(password):
    ApplicantFactory(phone="0912000222")
    attacker = Client(REMOTE_ADDR="10.1.0.2")
    for spelling in ["0912000222", "+84912000222", "84912000222", "0912 000 222", "091.2000.222"]:
        attacker.post(LOGIN, {"username": spelling, "password": WRONG})
    assert attacker.post(LOGIN, {"username": "0912000222", "password": password}).status_code == 429


def test_a_leader_is_locked_whatever_the_case(password):
    StaffFactory(username="LanhDao.MuongThanh", roles=[Role.LEADER])
    attacker = Client(REMOTE_ADDR="10.1.0.3")
    for variant in _variants("lanhdao.muongthanh", settings.AXES_FAILURE_LIMIT):
        attacker.post(LOGIN, {"username": variant, "password": WRONG})
    assert (
        attacker.post(LOGIN, {"username": "LanhDao.MuongThanh", "password": password}).status_code
        == 429
    )


def test_the_superuser_on_admin_login_and_the_site_login_share_one_count(password):
    UserFactory(username="admin", is_staff=True, is_superuser=True, citizen_id="")
    attacker = Client(REMOTE_ADDR="10.1.0.4")
    for variant in _variants("admin", settings.AXES_FAILURE_LIMIT):
        attacker.post("/admin/login/?next=/admin/", {"username": variant, "password": WRONG})
    locked = attacker.post(
        "/admin/login/?next=/admin/", {"username": "ADMIN", "password": password}
    )
    assert locked.status_code == 429
    assert attacker.post(LOGIN, {"username": "admin", "password": password}).status_code == 429


def test_api_basic_auth_counts_on_the_account(password):
    user = ApplicantFactory(email="binh@example.vn")
    attacker = Client(REMOTE_ADDR="10.1.0.5")
    for variant in _variants("binh@example.vn", settings.AXES_FAILURE_LIMIT):
        assert attacker.get(
            "/api/v1/me/", HTTP_AUTHORIZATION=_basic(variant, WRONG)
        ).status_code in (401, 403)
    locked = attacker.get("/api/v1/me/", HTTP_AUTHORIZATION=_basic("BINH@example.vn", password))
    assert locked.status_code in (401, 403)
    # the site login is locked by the API's failures as well
    assert (
        attacker.post(LOGIN, {"username": user.username, "password": password}).status_code == 429
    )
    # another address is not (username + IP)
    other = Client(REMOTE_ADDR="10.1.0.55")
    assert (
        other.get("/api/v1/me/", HTTP_AUTHORIZATION=_basic("BINH@example.vn", password)).json()[
            "username"
        ]
        == user.username
    )


def test_unknown_names_count_on_their_normal_form():
    attacker = Client(REMOTE_ADDR="10.1.0.6")
    for variant in _variants("nobody@example.vn", settings.AXES_FAILURE_LIMIT):
        attacker.post(LOGIN, {"username": variant, "password": WRONG})
    assert (
        attacker.post(LOGIN, {"username": "Nobody@Example.VN", "password": WRONG}).status_code
        == 429
    )


def test_login_by_cccd_number(password):
    """The label offers 'ID number': a staff account whose username is not its CCCD logs in with it."""
    user = UserFactory(username="congdan", citizen_id="011095004444")
    client = Client()
    assert client.post(LOGIN, {"username": "011095004444", "password": password}).status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == user.username


def test_nul_byte_in_a_basic_auth_username_is_a_401_not_a_500(password):
    ApplicantFactory(username="011095005555")
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=_basic("0110950\x0005555", password))
    assert response.status_code in (401, 403)
    response = client.post(LOGIN, {"username": "ab\x00c", "password": password})
    assert response.status_code == 200
