"""Cross-cutting middleware: Vietnamese-first language choice and staff idle time-out."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext


def _api_language(request: HttpRequest, supported: set[str]) -> str | None:
    """A machine calling ``/api/`` asks for its language with ``Accept-Language`` (people keep
    the Vietnamese-first rule): the first supported one it lists."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return None


def request_language(request: HttpRequest) -> str:
    """The language a request is answered in: the switch's cookie, else (``/api/`` only) the first
    supported ``Accept-Language``, else Vietnamese. Also used by the middleware that answers before
    the language is activated (NUL bytes, body size)."""
    supported = {code for code, _name in settings.LANGUAGES}
    lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if lang not in supported and request.path.startswith("/api/"):
        lang = _api_language(request, supported)
    if lang not in supported:
        lang = settings.LANGUAGE_CODE
    return str(lang)


class VietnameseFirstLocaleMiddleware:
    """Choose the language from the switch (Django's language cookie), else Vietnamese.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the province wants the
    portal in Vietnamese unless a person asks for English, so the browser header is ignored. The
    switch in ``base.html`` posts to ``set_language``, which sets the cookie; a stored per-user
    preference (``User.language``) can be applied by setting the same cookie at login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = request_language(request)
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        response.headers.setdefault(
            "Vary", "Cookie, Accept-Language" if request.path.startswith("/api/") else "Cookie"
        )
        translation.deactivate()
        return response


class StaffIdleTimeoutMiddleware:
    """End a staff session after ``STAFF_IDLE_TIMEOUT`` seconds without a request."""

    key = "_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_staff_member", False):
            now = int(time.time())
            last = request.session.get(self.key)
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
            else:
                request.session[self.key] = now
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """A NUL byte in the path or the query string never reaches a view (issue 13).

    PostgreSQL refuses NUL in text, so a token such as ``/chu-ky-so/xac-thuc/ab%00cd/`` or
    ``/thanh-toan/bien-lai/x%00/`` made the query raise ValueError (a 500). No URL of the portal
    has a NUL in it: such a path answers 404 before any query is made. (Query parameters are the
    forms' business: Django's form fields refuse NUL with a message, the catalogue ignores it.)
    """

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        from django.http import HttpResponseNotFound

        if "\x00" in request.path_info:
            with translation.override(request_language(request)):
                message = gettext("Page not found.")
            return HttpResponseNotFound(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse a body by its declared length before anything reads it (issue 13: uploads were read
    whole, 300 MB of them, before the size check; a 25 MB ``form_data`` was accepted).

    ``REQUEST_MAX_BYTES`` bounds any request (uploads: several files of ``UPLOAD_MAX_BYTES``;
    the edXML inbound endpoint: ``EDXML_MAX_ENVELOPE_BYTES``); ``JSON_MAX_BYTES`` bounds a JSON
    body (the API's dossiers, answers and forms are small). Answered 413 before the body is read.
    """

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        from django.conf import settings
        from django.http import HttpResponse, JsonResponse

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        limit = (
            settings.JSON_MAX_BYTES
            if content_type == "application/json"
            else settings.REQUEST_MAX_BYTES
        )
        if length > limit:
            with translation.override(request_language(request)):
                message = gettext("The request body is too large (at most %(mb)d MB).") % {
                    "mb": limit // 1048576
                }
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"detail": message, "code": "request_too_large"},
                    status=413,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def csp_form_targets(get_response):  # type: ignore[no-untyped-def]
    """Let the portal's forms lead to the payment gateway, the national payment platform and the
    national sign-on that are configured *now* (``form-action``): a form's POST answered with a
    redirect to another origin is blocked by the browser unless the page's policy names it. Read
    per request, so a setting changed at run time (or by a test) applies at once. Sits below
    django-csp's middleware, which merges ``response._csp_update`` into the policy."""
    from urllib.parse import urlsplit

    from django.conf import settings

    def middleware(request):  # type: ignore[no-untyped-def]
        response = get_response(request)
        urls = (
            getattr(settings, "PAYMENT_GATEWAY_URL", ""),
            getattr(settings, "PAYMENT_PLATFORM_INIT_URL", ""),
            getattr(settings, "VNEID_ISSUER", ""),
        )
        origins = sorted(
            {
                f"{u.scheme}://{u.netloc}"
                for u in map(urlsplit, filter(None, urls))
                if u.scheme and u.netloc
            }
        )
        if origins:
            response._csp_update = {"form-action": origins}
        return response

    return middleware
