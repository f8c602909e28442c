"""Errors raised by the dossier services. Their messages are shown to people (pages) and returned
to machines (API, as ``{"detail": message}`` with 400/403), so they are bilingual:
"Vietnamese / English"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied


class DossierError(Exception):
    """Bad input or a state that does not allow the request: nothing was changed (HTTP 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class TransitionNotAllowed(DossierError):
    """The action is not possible in the dossier's current status (HTTP 400)."""


class PermissionDenied(DjangoPermissionDenied):
    """The actor's role or agency does not allow the action (HTTP 403). Subclass of Django's, so
    views that do not catch it still answer 403."""

    def __init__(self, message: str = "Bạn không có quyền thực hiện việc này. / You are not allowed to do this.") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
