"""Brute-force guard of public tracking (the page ``/ho-so/tra-cuu/`` and the tracking API).

The dossier code is sequential and the second factor is 4 digits with up to three right answers
(the last digits of the CCCD / tax code and of the phone), so an unthrottled look-up falls in
seconds (issue 13: a factor found in 12.9 s). Two limits, both counted in the cache
(:mod:`portal.core.ratelimit`):

* per client (its address behind ``TRUSTED_PROXY_COUNT`` proxies): ``TRACKING_CLIENT_RATE``
  look-ups a minute, page and API together;
* per dossier code, whoever asks: after ``TRACKING_CODE_MAX_FAILURES`` wrong second factors the code
  is locked for ``TRACKING_CODE_LOCK_SECONDS`` (the applicant still has the receipt's QR code and
  their account). An unknown code counts the same as a wrong factor, so the lock says nothing
  about whether a code exists.

Both answer 429 with a message in the visitor's language.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.core import ratelimit


def _normal_code(code: str) -> str:
    return (code or "").replace("\x00", "").strip().upper()[:40]


def refusal(request: HttpRequest, code: str) -> str | None:
    """Why this look-up is refused now (a message), or None. Counts the look-up for the client."""
    if not ratelimit.hit(
        "track-client", ratelimit.client_ip(request), limit=settings.TRACKING_CLIENT_RATE, window=60
    ):
        return _("Too many look-ups from your connection. Please wait a minute and try again.")
    code = _normal_code(code)
    if code and ratelimit.locked("track-code", code):
        return _(
            "This dossier code is locked for a while after too many wrong digits. Use the QR code on your receipt, or log in to see your dossiers."
        )
    return None


def failed(code: str) -> None:
    """A look-up of ``code`` found nothing (unknown code or wrong digits): count it on the code."""
    code = _normal_code(code)
    if not code:
        return
    window = settings.TRACKING_CODE_LOCK_SECONDS
    if not ratelimit.hit(
        "track-code-fail", code, limit=settings.TRACKING_CODE_MAX_FAILURES - 1, window=window
    ):
        ratelimit.lock("track-code", code, seconds=window)


def guard_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator of the tracking page: 429 when refused, a 404 answer counts as a failure."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any("\x00" in str(v) for v in kwargs.values()):
            raise Http404(_("No dossier matches this link."))  # a NUL never reaches a query
        code = request.GET.get("code", "") if not kwargs else ""
        if request.GET or kwargs:
            reason = refusal(request, code)
            if reason is not None:
                return render(
                    request, "dossiers/track_refused.html", {"reason": reason}, status=429
                )
        response = view(request, *args, **kwargs)
        if response.status_code == 404 and code:
            failed(code)
        return response

    return wrapper


def guard_api(method: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator of the tracking API's ``get``: the same limits, answered as ``{"detail": ...}``."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        code = request.query_params.get("code", "") if not kwargs else ""
        reason = refusal(request, code)
        if reason is not None:
            return JsonResponse(
                {"detail": reason}, status=429, json_dumps_params={"ensure_ascii": False}
            )
        response = method(self, request, *args, **kwargs)
        if response.status_code == 404 and code:
            failed(code)
        return response

    return wrapper
