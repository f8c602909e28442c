"""Errors raised by the dossier services. Their message is one gettext message, translated when
raised (in the language of the request being served); pages show it, the API returns it as
``{"detail": message, "code": code}`` with 400/403. ``code`` is stable (machines read it; the text
may change)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext


class DossierError(Exception):
    """Bad input or a state that does not allow the request: nothing was changed (HTTP 400)."""

    default_code = "invalid"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message


class TransitionNotAllowed(DossierError):
    """The action is not possible in the dossier's current status (HTTP 400)."""

    default_code = "transition_not_allowed"


class PermissionDenied(DjangoPermissionDenied):
    """The actor's role or agency does not allow the action (HTTP 403). Subclass of Django's, so
    views that do not catch it still answer 403."""

    code = "permission_denied"

    def __init__(self, message: str | None = None) -> None:
        message = str(message) if message else gettext("You are not allowed to do this.")
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
