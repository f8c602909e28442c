"""Pages of the national e-ID login (thin: :mod:`.oidc` checks, :mod:`.eid_services` writes)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import oidc
from .eid_services import eid_link_account

log = logging.getLogger("portal.eid")


def _redirect_uri(request: HttpRequest) -> str:
    return settings.VNEID_REDIRECT_URI or request.build_absolute_uri(
        reverse("accounts:vneid_callback")
    )


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("dossiers:my")


def _refused(request: HttpRequest, exc: oidc.EidLoginError) -> HttpResponse:
    log.warning("eid.refused", extra={"reason": exc.code, "ip": request.META.get("REMOTE_ADDR")})
    return render(request, "accounts/eid_refused.html", {"message": exc.message}, status=403)


@never_cache
def vneid_login(request: HttpRequest) -> HttpResponse:
    """Off to the national sign-on. ``muc=2`` asks for assurance level 2 (level-4 procedures)."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        min_loa = max(1, min(4, int(request.GET.get("muc", "1"))))
    except ValueError:
        min_loa = 1
    try:
        url = oidc.begin(
            request,
            redirect_uri=_redirect_uri(request),
            next_url=_safe_next(request, request.GET.get("next", "")),
            min_loa=min_loa,
        )
    except oidc.EidLoginError as exc:
        return _refused(request, exc)
    return redirect(url)


@never_cache
def vneid_callback(request: HttpRequest) -> HttpResponse:
    """Back from the national sign-on. GET only, with ``code`` and ``state``: nothing the browser
    posts is ever read as a claim (a POST is refused outright)."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        result = oidc.complete(
            request, params={k: request.GET.get(k, "") for k in ("code", "state", "error")}
        )
        user = eid_link_account(result=result)
    except oidc.EidLoginError as exc:
        return _refused(request, exc)
    except IntegrityError:  # the same person's first login twice at once: the other one won
        return _refused(request, oidc.EidLoginError("link_race"))
    login(request, user, backend="portal.accounts.backends.EmailPhoneOrUsernameBackend")
    oidc.remember_login(request, result)
    return redirect(result.next_url)
