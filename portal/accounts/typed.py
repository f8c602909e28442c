"""Types for type checkers only: import them under ``TYPE_CHECKING``.

``Actor`` is the one name for "the signed-in portal user who acts or asks" in services, selectors
and the workflow engine (issue 16: a typed actor instead of ``Any``); ``MaybeAnonymous`` is for the
few places that also take a visitor who has not signed in (``request.user`` before any login
check), which must then test ``is_authenticated`` before reading a portal user's fields.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .models import User

Actor: TypeAlias = User
"""The signed-in portal user (``settings.AUTH_USER_MODEL``): a citizen, a clerk, an officer."""

MaybeAnonymous: TypeAlias = User | AnonymousUser
"""``request.user`` as Django gives it: a portal user or the anonymous visitor."""


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind ``login_required`` (or the admin site): ``request.user`` is a portal user."""

    user: User
