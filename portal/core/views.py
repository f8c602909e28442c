"""The site shell: health check and error pages (Vietnamese first, never a trace). The home page
shows the catalogue: :func:`procedures.views.home`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def healthz(request: HttpRequest) -> JsonResponse:
    """The database, the broker and the cache, each reported (portal.core.health)."""
    from .health import report

    body, status = report()
    return JsonResponse(body, status=status)


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        400,
        _("Bad request"),
        _("The request was not valid. Please check it."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("Access denied"),
        _("You are not allowed to do this."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        _("Page not found"),
        _("The page or item you asked for was not found."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        _("Server error"),
        _("Something went wrong; it has been logged."),
    )
