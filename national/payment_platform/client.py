"""HTTP calls to the national payment platform (JSON POST, bearer token). Errors come back as
:class:`PlatformUnavailable` (transient: timeout, refused, 5xx — retry later) or
:class:`PlatformRefused` (the platform answered but said no)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings


class PlatformError(Exception):
    pass


class PlatformUnavailable(PlatformError):
    """Timeout, connection refused, HTTP 5xx or an unreadable answer: try again later."""


class PlatformRefused(PlatformError):
    """The platform answered with an error code."""


def post(url: str, message: dict[str, Any], *, raw: bool = False) -> Any:
    """POST ``message`` as JSON to ``url``; the decoded JSON answer (or ``(bytes, content_type)``
    when ``raw``)."""
    if not url:
        raise PlatformUnavailable("endpoint not configured")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json, application/pdf",
    }
    if settings.PAYMENT_PLATFORM_ACCESS_TOKEN:
        headers["Authorization"] = f"Bearer {settings.PAYMENT_PLATFORM_ACCESS_TOKEN}"
    request = urllib.request.Request(
        url,
        data=json.dumps(message, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers=headers,
    )
    try:
        with urllib.request.urlopen(
            request, timeout=int(settings.PAYMENT_PLATFORM_TIMEOUT)
        ) as response:  # noqa: S310 - configured URL
            body = response.read()
            ctype = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise PlatformUnavailable(f"HTTP {exc.code}") from None
        raise PlatformRefused(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise PlatformUnavailable(f"{type(exc).__name__}: {exc}") from None
    if raw:
        return body, ctype
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PlatformUnavailable("unreadable answer") from None
