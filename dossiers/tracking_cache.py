"""Cache of the public tracking page for anonymous visitors.

Public tracking is the page everyone hits (the QR code on every receipt, the code looked up again
and again while waiting). A hit costs one indexed query: the dossier's ``updated_at`` by code or
token. Every change a visitor could see (status, steps, history, appointment date, the applicant's
ID and phone used as second factor) is saved together with the dossier row, so ``updated_at`` is in
the key and a stale page is never served. Only pages that showed a dossier are stored, keyed by the
digits that were verified, so a wrong second factor never hits the cache. The CSRF token of the site
shell (language switch) is swapped for the visitor's own on each hit.

In front of that, each web process keeps the pages it served in the last ``MICRO_TTL`` seconds
(micro-caching): a dossier looked up again and again (a QR code scanned at the counter, a visitor
pressing reload) costs no I/O at all. A change therefore shows on the public page at most
``MICRO_TTL`` seconds late; staff and logged-in applicants always see the live page.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .models import Dossier

TTL = 3600
MICRO_TTL = 5.0
MICRO_MAX = 5000
_micro: dict[str, tuple[float, str]] = {}
_MARKER = "__portal_csrf_token__"
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]+)(")')


def _key(kind: str, lookup: str, factor: str, updated_at: object) -> str:
    raw = f"{kind}|{lookup}|{factor}|{updated_at}|{get_language()}"
    return "track:" + hashlib.sha256(raw.encode()).hexdigest()


def micro_hit(request: HttpRequest, *, kind: str, lookup: str, factor: str) -> HttpResponse | None:
    """The page this process served for the same look-up less than ``MICRO_TTL`` seconds ago
    (anonymous visitors only), or None. Cheap enough to call before any parsing."""
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return None  # maybe logged in: the live page
    hit = _micro.get(f"{kind}|{lookup}|{factor}|{get_language()}")
    if hit is None or hit[0] <= time.monotonic():
        return None
    return _serve(request, hit[1])


def cached_tracking_page(
    request: HttpRequest,
    *,
    kind: str,
    lookup: str,
    factor: str,
    render_page: Callable[[], tuple[HttpResponse, bool]],
) -> HttpResponse:
    """Serve the tracking page from the cache, or render it (``render_page`` returns the response
    and whether it showed a dossier) and store it."""
    if request.user.is_authenticated:
        return render_page()[0]
    hit = micro_hit(request, kind=kind, lookup=lookup, factor=factor)
    if hit is not None:
        return hit
    response, body = _consistent(
        request, kind=kind, lookup=lookup, factor=factor, render_page=render_page
    )
    if body is not None:
        if len(_micro) >= MICRO_MAX:
            _micro.clear()
        _micro[f"{kind}|{lookup}|{factor}|{get_language()}"] = (time.monotonic() + MICRO_TTL, body)
    return response


def _serve(request: HttpRequest, body: str) -> HttpResponse:
    response = HttpResponse(body.replace(_MARKER, get_token(request)) if _MARKER in body else body)
    patch_vary_headers(response, ("Cookie",))
    return response


def _consistent(
    request: HttpRequest,
    *,
    kind: str,
    lookup: str,
    factor: str,
    render_page: Callable[[], tuple[HttpResponse, bool]],
) -> tuple[HttpResponse, str | None]:
    """The shared cache, checked against the dossier's ``updated_at`` (one indexed query); with
    the response, the cacheable body when there is one (for the per-process micro-cache)."""
    field = "code" if kind == "code" else "tracking_token"
    updated_at = (
        Dossier.objects.filter(**{field: lookup})
        .order_by()
        .values_list("updated_at", flat=True)
        .first()
    )
    if updated_at is None:
        return render_page()[0], None
    key = _key(kind, lookup, factor, updated_at)
    body = cache.get(key)
    if body is not None:
        return _serve(request, body), body
    response, found = render_page()
    if found and response.status_code == 200:
        body = _TOKEN.sub(lambda m: m.group(1) + _MARKER + m.group(3), response.content.decode())
        cache.set(key, body, TTL)
        return response, body
    return response, None
