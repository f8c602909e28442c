"""Citizens and businesses register themselves; bad input gives a clear error per field."""

import re

import pytest
from django.urls import reverse

from portal.accounts.constants import AccountKind
from portal.accounts.models import User
from portal.accounts.selectors import can_submit_dossiers
from tests.factories.accounts import ApplicantFactory

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/dang-ky/"


def form_data(**overrides):
    data = {
        "kind": "citizen",
        "full_name": "Lò Thị Hương",
        "citizen_id": "011095004321",
        "email": "huong@example.vn",
        "phone": "0987654321",
        "password1": "HoaBan2026x",
        "password2": "HoaBan2026x",
        "consent": "on",
        "language": "vi",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_citizen_registers_and_receives_a_verification_mail(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data())
    assert response.status_code == 200
    assert "Tài khoản của bạn đã được tạo" in response.content.decode()
    user = User.objects.get(citizen_id="011095004321")
    assert (user.kind, user.username, user.phone, user.email_verified_at) == (
        AccountKind.CITIZEN,
        "011095004321",
        "0987654321",
        None,
    )
    assert user.check_password("HoaBan2026x")
    assert not can_submit_dossiers(user)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["huong@example.vn"]
    assert "Xác thực địa chỉ e-mail" in mail.subject
    assert "Kính gửi Lò Thị Hương" in mail.body and "Dear Lò Thị Hương" in mail.body
    assert mail.body.index("Kính gửi") < mail.body.index("Dear")
    assert re.search(r"http://\S+/tai-khoan/xac-thuc-email/\S+/", mail.body)


def test_english_speaker_gets_the_english_text_first(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(language="en"))
    assert mailoutbox[0].subject.startswith("Verify your e-mail address")
    assert mailoutbox[0].body.index("Dear") < mailoutbox[0].body.index("Kính gửi")


def test_business_registers_with_a_valid_tax_code(client):
    response = client.post(
        URL,
        form_data(
            kind="business",
            citizen_id="",
            tax_code="0100109106",
            organisation_name="Công ty TNHH Hoa Ban",
            email="lienhe@congty.vn",
            phone="",
        ),
    )
    assert response.status_code == 200
    user = User.objects.get(tax_code="0100109106")
    assert (user.kind, user.organisation_name, user.citizen_id, user.username) == (
        AccountKind.BUSINESS,
        "Công ty TNHH Hoa Ban",
        "",
        "0100109106",
    )


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"citizen_id": "01109500432"}, "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."),
        ({"citizen_id": "01109500432a"}, "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."),
        ({"citizen_id": "999095004321"}, "Ba chữ số đầu của số CCCD không phải là mã tỉnh hợp lệ."),
        (
            {
                "kind": "business",
                "citizen_id": "",
                "tax_code": "0100109107",
                "organisation_name": "Công ty A",
            },
            "Mã số thuế sai chữ số kiểm tra",
        ),
        (
            {
                "kind": "business",
                "citizen_id": "",
                "tax_code": "01001091",
                "organisation_name": "Công ty A",
            },
            "Mã số thuế phải gồm 10 chữ số",
        ),
        ({"password1": "12345678", "password2": "12345678"}, "Mật khẩu này hoàn toàn là số."),
        ({"password1": "password1", "password2": "password1"}, "Mật khẩu này quá phổ biến."),
        ({"password1": "abcdefghij", "password2": "abcdefghij"}, "Mật khẩu phải có cả chữ và số"),
        ({"password1": "abc1", "password2": "abc1"}, "Mật khẩu quá ngắn"),
        ({"password2": "Khac2026x"}, "Hai mật khẩu không khớp nhau."),
        (
            {"email": "", "phone": ""},
            "Nhập địa chỉ e-mail hoặc số điện thoại di động (ít nhất một).",
        ),
        ({"phone": "0123"}, "Nhập số điện thoại di động hợp lệ"),
        ({"consent": None}, "Bạn phải đồng ý với điều khoản sử dụng để đăng ký."),
    ],
)
def test_bad_input_is_refused_with_a_vietnamese_message(client, overrides, field_error):
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        ({"email": "HUONG@example.vn"}, "Đã có tài khoản dùng địa chỉ e-mail này."),
        ({"phone": "0987654321"}, "Đã có tài khoản dùng số điện thoại này."),
        ({"citizen_id": "011095004321"}, "Đã có tài khoản dùng số CCCD này."),
        ({"tax_code": "0100109106", "citizen_id": ""}, "Đã có tài khoản dùng mã số thuế này."),
    ],
)
def test_duplicates_are_refused(client, existing, message):
    ApplicantFactory(**existing)
    data = form_data()
    if "tax_code" in existing:
        data.update(
            kind="business",
            citizen_id="",
            tax_code="0100109106",
            organisation_name="Công ty TNHH Hoa Ban",
        )
    response = client.post(URL, data)
    assert message in response.content.decode()
    assert User.objects.count() == 1


def test_phone_formats_are_normalised_and_then_duplicates(client):
    client.post(URL, form_data(phone="+84 987 654 321", email=""))
    assert User.objects.get().phone == "0987654321"
    response = client.post(
        URL, form_data(phone="0987.654.321", email="", citizen_id="011095009999")
    )
    assert "Đã có tài khoản dùng số điện thoại này." in response.content.decode()


def test_logged_in_user_is_sent_to_the_profile(client):
    client.force_login(ApplicantFactory())
    assert client.get(URL).url == reverse("accounts:profile")
