"""Password reset by e-mail and password change."""

import re

import pytest

from tests.factories.accounts import ApplicantFactory

pytestmark = pytest.mark.django_db


def test_password_reset_flow(client, mailoutbox, password):
    user = ApplicantFactory(email="hoa@example.vn")
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "HOA@example.vn"}, follow=True)
    assert "Hãy kiểm tra hộp thư" in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["hoa@example.vn"]
    assert "Đặt lại mật khẩu" in mailoutbox[0].subject
    link = re.search(r"http://[^/\s]+(/tai-khoan/dat-lai-mat-khau/\S+/)", mailoutbox[0].body).group(
        1
    )
    form_page = client.get(link, follow=True)
    assert "Chọn mật khẩu mới" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "MuongThanh99", "new_password2": "MuongThanh99"},
        follow=True,
    )
    assert "Mật khẩu của bạn đã được thay đổi" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("MuongThanh99") and not user.check_password(password)
    # the link works once
    assert "Liên kết này không còn hiệu lực" in client.get(link, follow=True).content.decode()


def test_unknown_address_sends_nothing_but_says_the_same(client, mailoutbox):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "nobody@example.vn"}, follow=True)
    assert "Hãy kiểm tra hộp thư" in response.content.decode()
    assert mailoutbox == []


def test_password_change(client, password):
    user = ApplicantFactory()
    client.force_login(user)
    bad = client.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": "Sai123456",
            "new_password1": "MuongThanh99",
            "new_password2": "MuongThanh99",
        },
    )
    assert bad.status_code == 200
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": password,
            "new_password1": "MuongThanh99",
            "new_password2": "MuongThanh99",
        },
        follow=True,
    )
    assert "Mật khẩu của bạn đã được đổi" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("MuongThanh99")
    assert client.get("/api/v1/me/").status_code == 200  # still logged in
