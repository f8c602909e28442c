"""Errors of the document services: one gettext message, translated when raised (the language of
the request being served), and a stable ``code`` for machines (the API returns
``{"detail": message, "code": code}``, 400/403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext


class DocumentError(Exception):
    """Bad input or a state that does not allow the request: nothing was changed (HTTP 400)."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code

    def __str__(self) -> str:
        return self.message


class PermissionDenied(DjangoPermissionDenied):
    """The actor's role or agency does not allow the action (HTTP 403)."""

    code = "permission_denied"

    def __init__(self, message: str | None = None) -> None:
        message = str(message) if message else gettext("You are not allowed to do this.")
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
