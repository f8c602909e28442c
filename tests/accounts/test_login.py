"""Log in by username, e-mail or phone; session rotation; lockout on username + IP; idle time-out."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from portal.accounts.constants import Role
from tests.factories.accounts import ApplicantFactory, StaffFactory

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/dang-nhap/"


@pytest.fixture
def citizen():
    return ApplicantFactory(username="011095001111", email="an@example.vn", phone="0912000111")


@pytest.mark.parametrize("login", ["011095001111", "AN@example.vn", "0912000111", "+84912000111"])
def test_login_by_username_email_or_phone(client, citizen, password, login):
    response = client.post(URL, {"username": login, "password": password})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == "011095001111"


def test_wrong_password_shows_the_vietnamese_error(client, citizen):
    response = client.post(URL, {"username": "an@example.vn", "password": "SaiMatKhau1"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_key_rotates_at_login(client, citizen, password):
    from django.contrib.sessions.backends.db import SessionStore

    session = client.session  # an anonymous session, as a visitor has before logging in
    session["probe"] = "kept"
    session.save()
    before = session.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == before
    client.post(URL, {"username": citizen.username, "password": password})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before)  # a fixed (stolen) pre-login key is worthless
    assert client.session["probe"] == "kept"
    assert client.session.get("_auth_user_id") == str(citizen.pk)


def test_staff_land_on_their_workspace(client, password):
    staff = StaffFactory(roles=[Role.CLERK])
    response = client.post(URL, {"username": staff.username, "password": password})
    assert response.url == "/tai-khoan/lam-viec/"


def test_logout_is_a_post(client, citizen):
    client.force_login(citizen)
    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    client.post("/tai-khoan/dang-xuat/")
    assert "_auth_user_id" not in client.session


def test_lockout_on_username_and_ip_only(citizen, password):
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(URL, {"username": citizen.username, "password": "SaiMatKhau1"})
    locked = attacker.post(URL, {"username": citizen.username, "password": password})
    assert locked.status_code in (403, 429)
    assert "Tài khoản tạm thời bị khóa" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session
    # the same person from another address is not locked
    other_ip = Client(REMOTE_ADDR="10.0.0.77")
    assert (
        other_ip.post(URL, {"username": citizen.username, "password": password}).status_code == 302
    )
    # another username from the attacker's address is not locked either
    other_user = ApplicantFactory()
    assert (
        attacker.post(URL, {"username": other_user.username, "password": password}).status_code
        == 302
    )


def test_failures_below_the_limit_do_not_lock(citizen, password):
    c = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        c.post(URL, {"username": citizen.username, "password": "SaiMatKhau1"})
    assert c.post(URL, {"username": citizen.username, "password": password}).status_code == 302


@override_settings(STAFF_IDLE_TIMEOUT=60)
def test_staff_session_ends_after_idle_timeout(client, time_machine):
    staff = StaffFactory(roles=[Role.CLERK])
    time_machine.move_to("2026-06-01 08:00 +07:00", tick=False)
    client.force_login(staff)
    assert client.get("/tai-khoan/lam-viec/").status_code == 200
    time_machine.move_to("2026-06-01 08:00:50 +07:00", tick=False)
    assert client.get("/tai-khoan/lam-viec/").status_code == 200
    time_machine.move_to("2026-06-01 08:02:00 +07:00", tick=False)
    response = client.get("/tai-khoan/lam-viec/")
    assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")


@override_settings(STAFF_IDLE_TIMEOUT=60)
def test_citizens_have_no_idle_timeout(client, time_machine):
    user = ApplicantFactory()
    time_machine.move_to("2026-06-01 08:00 +07:00", tick=False)
    client.force_login(user)
    client.get("/tai-khoan/ho-so-ca-nhan/")
    time_machine.move_to("2026-06-01 09:00 +07:00", tick=False)
    assert client.get("/tai-khoan/ho-so-ca-nhan/").status_code == 200


def test_login_follows_the_language_preference_when_none_was_chosen(client, password):
    user = ApplicantFactory(language="en")
    client.post(URL, {"username": user.username, "password": password})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "My profile" in client.get("/tai-khoan/ho-so-ca-nhan/").content.decode()


def test_login_keeps_a_language_chosen_with_the_switch(client, password):
    user = ApplicantFactory(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.post(URL, {"username": user.username, "password": password})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"


@pytest.mark.parametrize("typed", ["011095001234", " 011095001234 "])
def test_login_by_the_cccd_number_the_label_offers(client, password, typed):
    """Issue 14: "Tên đăng nhập, e-mail, số điện thoại hoặc số định danh" — the 12-digit citizen ID
    (CCCD, Law on Identification 2023 art. 12) logs in as the demo's "congdan" does, beside a
    business whose tax code and a staff member whose phone are other digit strings."""
    ApplicantFactory(
        username="congdan", citizen_id="011095001234", phone="0912345678", email="c@example.vn"
    )
    ApplicantFactory(username="doanhnghiep", tax_code="0100109106", email="d@example.vn")
    StaffFactory(username="motcua", phone="0912000999")
    page = client.get(URL).content.decode()
    assert "số định danh" in page.lower() or "cccd" in page.lower()
    response = client.post(URL, {"username": typed, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/api/v1/me/").json()["username"] == "congdan"
