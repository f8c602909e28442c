"""Server-side role checks for pages and API, shared by every app.

Pages (function views)::

    from portal.accounts.permissions import role_required
    from portal.accounts.constants import Role

    @role_required(Role.CLERK)
    def intake_queue(request): ...

Pages (class-based views)::

    class ApprovalQueue(RoleRequiredMixin, ListView):
        required_roles = (Role.LEADER,)

API (DRF)::

    class DossierViewSet(viewsets.ModelViewSet):
        permission_classes = [HasRole.of(Role.CLERK, Role.SPECIALIST)]
        def get_queryset(self):
            return scope_to_agencies(Dossier.objects.all(), self.request.user, field="agency")

Rules, the same everywhere:

* anonymous → the login page (pages) or 401/403 (API);
* logged in but not a staff member with one of the roles → 403 (the Vietnamese error page);
* a superuser, or a holder of ``Role.ADMIN``, passes only where ``Role.ADMIN`` is listed: the
  administrator keeps the catalogue and accounts, he does not receive or approve dossiers.

A role check says *what kind* of action a user may take; *which rows* he may touch is the agency
scope (:func:`scope_to_agencies`, built on :func:`portal.accounts.selectors.agencies_in_scope`).
Objects outside the scope must answer 404, not 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .constants import Role
from .selectors import agencies_in_scope

if TYPE_CHECKING:
    from .typed import Actor, MaybeAnonymous


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def user_has_any_role(user: MaybeAnonymous | None, roles: tuple[str, ...] | list[str]) -> bool:
    """True when ``user`` is an active staff member holding one of ``roles``.

    With no roles given, any active staff member (or superuser) passes.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_portal_admin and (not roles or Role.ADMIN in roles):
        return True
    if not getattr(user, "is_staff_member", False):
        return False
    return not roles or user.has_role(*roles)


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorator for function views: login redirect for anonymous users, 403 without the role."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_any_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


staff_required = role_required()
"""Any staff member, whatever his roles."""


class RoleRequiredMixin:
    """Mixin for class-based views; set ``required_roles`` (empty: any staff member)."""

    required_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_has_any_role(request.user, tuple(self.required_roles)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class HasRole(BasePermission):
    """DRF permission: the caller is a staff member with one of ``required_roles``.

    Use ``HasRole.of(Role.CLERK, ...)`` in ``permission_classes``, or subclass and set
    ``required_roles``; or set ``required_roles`` on the view itself. Object-level scope is the
    queryset's job (:func:`scope_to_agencies`): DRF calls ``has_object_permission`` only through
    ``get_object()``, never on list or create.
    """

    required_roles: tuple[str, ...] = ()
    message = gettext_lazy("You are not allowed to do this.")
    code = "permission_denied"

    def has_permission(self, request: Any, view: Any) -> bool:
        roles = self.required_roles or tuple(getattr(view, "required_roles", ()))
        return user_has_any_role(request.user, roles)

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type(
            f"HasRole_{'_'.join(roles) or 'staff'}", (cls,), {"required_roles": tuple(roles)}
        )


def api_user(request: Request) -> Actor:
    """The caller of an API view behind ``IsAuthenticated`` or :class:`HasRole`: a portal user.

    The permission class has already turned anonymous callers away (401); the test here says so
    to the type checker, and fails closed the same way should a view lose its permission class.
    """
    user = request.user
    if not user.is_authenticated:
        raise NotAuthenticated
    return user


def scope_to_agencies(queryset: QuerySet, user: Actor, *, field: str = "agency") -> QuerySet:
    """Filter ``queryset`` to rows whose ``field`` (a FK to Agency) is in the user's scope.

    Provincial staff and administrators see every agency; other staff their own agency and its
    sub-units; applicants and anonymous users nothing.
    """
    return queryset.filter(**{f"{field}__in": agencies_in_scope(user)})
