"""Errors of the document services: bilingual ("Vietnamese / English") because pages show them
to people and the API returns them to machines (``{"detail": message}``, 400/403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied


class DocumentError(Exception):
    """Bad input or a state that does not allow the request: nothing was changed (HTTP 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PermissionDenied(DjangoPermissionDenied):
    """The actor's role or agency does not allow the action (HTTP 403)."""

    def __init__(self, message: str = "Bạn không có quyền thực hiện việc này. / You are not allowed to do this.") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
