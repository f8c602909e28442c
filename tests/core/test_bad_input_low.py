"""Issue 13 (Low): inputs that gave a 500. Each answers a clear 4xx now.

NUL bytes in verification and receipt tokens (the tracking ones: tests/dossiers/
test_tracking_bruteforce.py, Basic auth: tests/hardening/test_login_lockout.py), ``?status=²``,
a 35 MB JSON body, and validation errors that lacked the documented ``detail``.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories.accounts import ApplicantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/chu-ky-so/xac-thuc/ab%00cd/",
        "/chu-ky-so/xac-thuc/ab%00cd/tai-ve/",
        "/thanh-toan/bien-lai/HS1%00X/",
        "/ho-so/tra-cuu/ab%00/",
    ],
)
def test_a_nul_byte_in_a_token_is_a_404(path):
    client = Client(raise_request_exception=False)
    client.force_login(ApplicantFactory())
    assert client.get(path).status_code == 404


def test_a_nul_byte_in_a_query_is_the_forms_message_not_a_500():
    response = Client(raise_request_exception=False).get(
        "/ho-so/tra-cuu/?code=a%00b&second_factor=1234"
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()


def test_a_superscript_digit_as_status_filter_is_no_500():
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(ApplicantFactory())
    response = api.get("/api/v1/dossiers/", {"status": "²"})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_35_mb_json_body_is_a_413():
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(ApplicantFactory())
    body = json.dumps({"procedure": "x", "form_data": {"a": "x" * (35 * 1024 * 1024)}})
    response = api.generic("POST", "/api/v1/dossiers/", body, content_type="application/json")
    assert response.status_code == 413
    assert "quá lớn" in response.json()["detail"]  # refused by JSON_MAX_BYTES before it is read


def test_validation_errors_carry_the_documented_detail():
    api = APIClient()
    api.force_authenticate(ApplicantFactory())
    response = api.post("/api/v1/dossiers/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]


def test_an_oversized_upload_is_refused_by_its_length_before_it_is_read(settings):
    """The body is never read: a declared 300 MB with 10 bytes behind it is refused at once."""
    client = Client(raise_request_exception=False)
    client.force_login(ApplicantFactory())
    response = client.generic(
        "POST",
        "/ho-so/nop/x/",
        b"0123456789",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_a_25_mb_form_data_is_refused():
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(ApplicantFactory())
    body = json.dumps({"procedure": "x", "form_data": {"a": "x" * (25 * 1024 * 1024)}})
    response = api.generic("POST", "/api/v1/dossiers/", body, content_type="application/json")
    assert response.status_code == 413


def test_password_reset_is_rate_limited(client, mailoutbox):
    user = ApplicantFactory(email="reset@example.vn")
    for _ in range(10):
        response = client.post("/tai-khoan/quen-mat-khau/", {"email": user.email})
        assert response.status_code == 302  # the same answer whether sent or not
    assert len(mailoutbox) == 3  # at most 3 a hour per address (15 were sent in seconds)
