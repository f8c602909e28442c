"""The staff workspace lists each role's queues; links appear only for pages that exist."""

import pytest
from django.urls import NoReverseMatch, reverse

from portal.accounts.constants import Role
from portal.accounts.selectors import WORKSPACE_LINKS
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/lam-viec/"


def existing(url_name):
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@pytest.mark.parametrize("role", list(Role))
def test_workspace_per_role(client, role):
    client.force_login(StaffFactory(roles=[role]))
    response = client.get(URL)
    page = " ".join(response.content.decode().split())  # a tag's attributes may wrap
    assert response.status_code == 200
    assert f'data-role="{role.value}"' in page
    assert page.count("data-role=") == 1
    for url_name, _label in WORKSPACE_LINKS[role]:
        url = existing(url_name)
        if url:
            assert f'href="{url}" data-url-name="{url_name}"' in page
        else:
            assert f'data-url-name="{url_name}"' not in page
    other_links = {n for r, links in WORKSPACE_LINKS.items() if r != role for n, _ in links} - {
        n for n, _ in WORKSPACE_LINKS[role]
    }
    for url_name in other_links:
        assert f'data-url-name="{url_name}"' not in page


def test_admin_role_links_to_the_admin(client):
    client.force_login(StaffFactory(roles=[Role.ADMIN]))
    page = " ".join(client.get(URL).content.decode().split())  # a tag's attributes may wrap
    assert 'href="/admin/" data-url-name="admin:index"' in page


def test_several_roles_several_sections(client):
    client.force_login(StaffFactory(roles=[Role.CLERK, Role.LEADER]))
    page = client.get(URL).content.decode()
    assert 'data-role="clerk"' in page and 'data-role="leader"' in page
    assert "Công chức Bộ phận Một cửa" in page


def test_staff_without_roles_is_told_so(client):
    client.force_login(StaffFactory())
    assert "Tài khoản của bạn chưa được giao vai trò nào" in client.get(URL).content.decode()


def test_nav_shows_the_workspace_to_staff_only(client):
    from tests.factories.accounts import ApplicantFactory

    client.force_login(StaffFactory(roles=[Role.CLERK]))
    assert 'id="nav-workspace"' in client.get("/tai-khoan/ho-so-ca-nhan/").content.decode()
    client.force_login(ApplicantFactory())
    assert 'id="nav-workspace"' not in client.get("/tai-khoan/ho-so-ca-nhan/").content.decode()


def test_createsuperuser_account_is_staff_and_reaches_the_workspace(client):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@dienbien.gov.vn", "Quan@tri2026")
    assert root.is_staff_member and root.email_verified_at is not None
    client.force_login(root)
    page = client.get(URL).content.decode()
    assert 'data-url-name="admin:index"' in page
    assert 'id="nav-admin"' in page and "verify-banner" not in page
