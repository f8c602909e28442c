"""Cross-cutting middleware: Vietnamese-first language choice and staff idle time-out."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class VietnameseFirstLocaleMiddleware:
    """Choose the language from the switch (Django's language cookie), else Vietnamese.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the province wants the
    portal in Vietnamese unless a person asks for English, so the browser header is ignored. The
    switch in ``base.html`` posts to ``set_language``, which sets the cookie; a stored per-user
    preference (``User.language``) can be applied by setting the same cookie at login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def _api_language(self, request: HttpRequest) -> str | None:
        """A machine calling ``/api/`` asks for its language with ``Accept-Language`` (people keep
        the Vietnamese-first rule): the first supported one it lists."""
        from django.utils.translation.trans_real import parse_accept_lang_header

        for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            base = code.split("-")[0].lower()
            if base in self.supported:
                return base
        return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.supported and request.path.startswith("/api/"):
            lang = self._api_language(request)
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        response.headers.setdefault("Vary", "Cookie, Accept-Language" if request.path.startswith("/api/") else "Cookie")
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
