"""Types for type checkers only: import them under ``TYPE_CHECKING``."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind ``login_required`` (or the admin site): ``request.user`` is a portal user."""

    user: User
