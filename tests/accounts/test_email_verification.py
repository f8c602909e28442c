"""The verification link: signed, bound to the address, expiring."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from portal.accounts.selectors import can_submit_dossiers
from portal.accounts.services import email_verification_url, user_update_profile
from tests.factories.accounts import ApplicantFactory

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_valid_link_verifies_and_allows_submitting(client):
    user = ApplicantFactory(unverified=True)
    client.force_login(user)
    assert "chưa được xác thực" in client.get("/tai-khoan/ho-so-ca-nhan/").content.decode()
    response = client.get(path_of(email_verification_url(user=user)))
    assert response.status_code == 200
    assert "Địa chỉ e-mail của bạn đã được xác thực" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert can_submit_dossiers(user)
    assert "verify-banner" not in client.get("/tai-khoan/ho-so-ca-nhan/").content.decode()


def test_tampered_link_is_refused(client):
    user = ApplicantFactory(unverified=True)
    path = path_of(email_verification_url(user=user))
    tampered = path[:-3] + ("a" if path[-3] != "a" else "b") + path[-2:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert "Liên kết xác thực không hợp lệ." in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_expired_link_is_refused(client):
    user = ApplicantFactory(unverified=True)
    with time_machine.travel(timezone.now() - dt.timedelta(days=4)):
        path = path_of(email_verification_url(user=user))
    response = client.get(path)
    assert response.status_code == 400
    assert "Liên kết xác thực đã hết hạn" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_link_for_an_old_address_does_not_verify_the_new_one(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    user = ApplicantFactory()
    old_link = path_of(email_verification_url(user=user))
    with django_capture_on_commit_callbacks(execute=True):
        user_update_profile(user=user, email="moi@example.vn")
    assert user.email_verified_at is None and mailoutbox[0].to == ["moi@example.vn"]
    assert client.get(old_link).status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_resend_sends_a_new_link(client, django_capture_on_commit_callbacks, mailoutbox):
    user = ApplicantFactory(unverified=True)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tai-khoan/xac-thuc-email/gui-lai/", follow=True)
    assert "Chúng tôi đã gửi liên kết xác thực mới" in response.content.decode()
    assert len(mailoutbox) == 1
