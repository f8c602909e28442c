"""role_required, RoleRequiredMixin, HasRole and the agency scope, on real views and querysets."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from portal.accounts.constants import Role
from portal.accounts.permissions import HasRole, RoleRequiredMixin, role_required, scope_to_agencies
from portal.agencies.models import Agency
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.agencies import AgencyFactory

pytestmark = pytest.mark.django_db


@role_required(Role.LEADER)
def approve(request):
    return HttpResponse("approved")


class IntakeQueue(RoleRequiredMixin, View):
    required_roles = (Role.CLERK,)

    def get(self, request):
        return HttpResponse("queue")


class ApiQueue(APIView):
    permission_classes = [HasRole.of(Role.CLERK, Role.SPECIALIST)]

    def get(self, request):
        return Response({"ok": True})


def call(view, user):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/ho-so/hang-doi/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return view(request)


@pytest.mark.parametrize("view", [approve, IntakeQueue.as_view()])
def test_anonymous_is_redirected_to_login(view):
    response = call(view, None)
    assert response.status_code == 302
    assert response.url == "/tai-khoan/dang-nhap/?next=/ho-so/hang-doi/"


def test_role_required_lets_the_role_through_and_refuses_others():
    from django.core.exceptions import PermissionDenied

    assert call(approve, StaffFactory(roles=[Role.LEADER])).content == b"approved"
    for user in (
        StaffFactory(roles=[Role.CLERK]),
        ApplicantFactory(),
        UserFactory(is_superuser=True),
    ):
        with pytest.raises(PermissionDenied):
            call(approve, user)
    assert call(IntakeQueue.as_view(), StaffFactory(roles=[Role.CLERK])).content == b"queue"
    with pytest.raises(PermissionDenied):
        call(IntakeQueue.as_view(), StaffFactory(roles=[Role.SPECIALIST]))


def test_forbidden_page_is_the_vietnamese_403(client):
    """Through the real URL conf: the workspace needs a staff account."""
    client.force_login(ApplicantFactory())
    response = client.get("/tai-khoan/lam-viec/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_inactive_staff_are_refused():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        call(approve, StaffFactory(roles=[Role.LEADER], is_active=False))


@pytest.mark.parametrize(
    ("roles", "kind", "status"),
    [
        ([Role.CLERK], "staff", 200),
        ([Role.SPECIALIST], "staff", 200),
        ([Role.LEADER], "staff", 403),
        ([], "citizen", 403),
        (None, "anonymous", 403),
    ],
)
def test_has_role_on_the_api(roles, kind, status):
    request = APIRequestFactory().get("/api/v1/queue/")
    if kind == "staff":
        force_authenticate(request, user=StaffFactory(roles=roles))
    elif kind == "citizen":
        force_authenticate(request, user=ApplicantFactory())
    response = ApiQueue.as_view()(request)
    assert response.status_code in ((401, 403) if status == 403 else (status,))


def test_scope_to_agencies():
    province = AgencyFactory(province=True)
    justice = AgencyFactory(parent=province)
    justice_division = AgencyFactory(parent=justice)
    health = AgencyFactory(parent=province)
    qs = Agency.objects.all()

    def names(user):
        return set(scope_to_agencies(qs, user, field="pk").values_list("pk", flat=True))

    assert names(StaffFactory(agency=justice, roles=[Role.CLERK])) == {
        justice.pk,
        justice_division.pk,
    }
    assert names(StaffFactory(agency=health, roles=[Role.CLERK])) == {health.pk}
    assert names(StaffFactory(agency=health, roles=[Role.PROVINCIAL])) == {
        province.pk,
        justice.pk,
        justice_division.pk,
        health.pk,
    }
    assert names(ApplicantFactory()) == set()
