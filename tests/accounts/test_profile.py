"""The profile page: what a person may change, and what staff see of their placement."""

import pytest
from django.conf import settings

from portal.accounts.constants import Role
from tests.factories.accounts import ApplicantFactory, StaffFactory
from tests.factories.agencies import AgencyFactory

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/ho-so-ca-nhan/"


def post_data(user, **changes):
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "address": user.address,
        "language": user.language,
        "notify_email": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).url.startswith("/tai-khoan/dang-nhap/?next=")


def test_edit_profile(client):
    user = ApplicantFactory()
    client.force_login(user)
    response = client.post(
        URL,
        post_data(
            user,
            full_name="Nguyễn  Thị   Mai",
            phone="0976 111 222",
            address="Phường Mường Thanh",
            language="en",
            notify_sms="on",
        ),
        follow=True,
    )
    assert (
        "Your profile has been saved." in response.content.decode()
    )  # the page follows the new language
    assert response.redirect_chain[0][0] == URL
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert (
        user.full_name,
        user.phone,
        user.address,
        user.language,
        user.notify_email,
        user.notify_sms,
    ) == ("Nguyễn Thị Mai", "0976111222", "Phường Mường Thanh", "en", True, True)
    assert user.email_verified_at is not None


def test_phone_of_another_account_is_refused(client):
    ApplicantFactory(phone="0976111222")
    user = ApplicantFactory()
    client.force_login(user)
    response = client.post(URL, post_data(user, phone="0976111222"))
    assert response.status_code == 400
    assert "Đã có tài khoản dùng số điện thoại này." in response.content.decode()
    user.refresh_from_db()
    assert user.phone == ""


def test_sms_without_a_phone_is_refused(client):
    user = ApplicantFactory()
    client.force_login(user)
    response = client.post(URL, post_data(user, notify_sms="on"))
    assert "Thêm số điện thoại di động để nhận thông báo qua SMS." in response.content.decode()


def test_staff_see_agency_department_and_roles(client):
    agency = AgencyFactory(name="Sở Tư pháp tỉnh Điện Biên")
    department = AgencyFactory(name="Phòng Hành chính tư pháp", parent=agency)
    staff = StaffFactory(
        agency=agency,
        department=department,
        position="Chuyên viên",
        roles=[Role.SPECIALIST, Role.LEADER],
    )
    client.force_login(staff)
    page = client.get(URL).content.decode()
    assert "Sở Tư pháp tỉnh Điện Biên" in page and "Phòng Hành chính tư pháp" in page
    assert "Chuyên viên xử lý" in page and "Lãnh đạo" in page
