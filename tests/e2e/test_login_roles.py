"""Log in as each demo role through the browser and land on the right workspace."""

import pytest

pytestmark = pytest.mark.e2e

#: demo username → the role section its workspace must show
STAFF = {
    "admin": "admin",
    "tinh": "provincial",
    "motcua.tuphap": "clerk",
    "chuyenvien.tuphap": "specialist",
    "lanhdao.tuphap": "leader",
    "vanthu.tuphap": "clerical",
    "motcua.muongthanh": "clerk",
}


def test_each_staff_role_sees_its_workspace(page, login, demo_data):
    for username, role in STAFF.items():
        login(page, username, demo_data)
        assert page.url.endswith("/tai-khoan/lam-viec/"), username
        assert page.locator("h1").inner_text() == "Không gian làm việc"
        sections = page.locator("section[data-role]")
        assert sections.count() == 1, username
        assert sections.first.get_attribute("data-role") == role
        if role == "admin":
            assert page.locator('[data-url-name="admin:index"]').is_visible()
        with page.expect_navigation():
            page.click("#nav-logout")
        assert page.locator("#nav-login").is_visible()


def test_citizen_has_no_workspace(page, login, transactional_db, password):
    from tests.factories.accounts import ApplicantFactory

    ApplicantFactory(email="congdan@example.vn", full_name="Nguyễn Văn An")
    login(page, "congdan@example.vn", password)
    assert page.locator("#nav-profile").inner_text() == "Nguyễn Văn An"
    assert page.locator("#nav-workspace").count() == 0
    response = page.goto("/tai-khoan/lam-viec/")
    assert response.status == 403
    assert "Không có quyền truy cập" in page.content()


def test_wrong_password_shows_the_vietnamese_error(page, transactional_db):
    from tests.factories.accounts import StaffFactory

    StaffFactory(username="motcua.tuphap")
    page.goto("/tai-khoan/dang-nhap/")
    page.fill("#id_username", "motcua.tuphap")
    page.fill("#id_password", "SaiMatKhau2026")
    with page.expect_navigation():
        page.click("#login-form [type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.locator("#login-form").inner_text()
    assert page.locator("#nav-login").is_visible()


def test_citizen_registers_logs_in_and_is_asked_to_verify(page, login, transactional_db):
    page.goto("/tai-khoan/dang-ky/")
    assert not page.locator("#id_tax_code").is_visible()  # citizen fields first
    page.fill("#id_full_name", "Lò Thị Hương")
    page.fill("#id_citizen_id", "011095004321")
    page.fill("#id_email", "huong@example.vn")
    page.fill("#id_password1", "HoaBan2026x")
    page.fill("#id_password2", "HoaBan2026x")
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("#register-form [type=submit]")
    assert "Tài khoản của bạn đã được tạo" in page.locator("#register-done").inner_text()
    login(page, "huong@example.vn", "HoaBan2026x")
    assert "chưa được xác thực" in page.locator("#verify-banner").inner_text()
