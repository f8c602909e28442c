"""Rate limits and lock-outs kept in the cache, and the client's address behind trusted proxies.

Two needs of issue 13: public tracking was guessed at ~28 look-ups a second (a 4-digit second
factor with up to three right answers falls in seconds), and the API's throttle took the client
from any ``X-Forwarded-For`` a caller cared to send. :func:`client_ip` trusts exactly
``TRUSTED_PROXY_COUNT`` proxies in front of the portal (the right-most entries of
``X-Forwarded-For``, the ones our own proxies appended — OWASP "Blocking Brute Force Attacks";
Django REST framework's ``NUM_PROXIES`` follows the same rule and is set from the same setting).
:func:`hit` counts in fixed windows with ``cache.add`` + ``cache.incr`` (atomic in Redis).

When the cache is down (Redis stopped) a limit cannot be counted: it fails open and logs
``ratelimit.cache_down`` rather than turning every public page into a 500; the health check
(``/healthz``) reports the cache separately so the outage is seen.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The caller's address: ``REMOTE_ADDR`` with no trusted proxy, else the entry of
    ``X-Forwarded-For`` that the outermost trusted proxy appended (entries further left were
    written by the caller and prove nothing)."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count > 0:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if forwarded:
            candidate = forwarded[-min(count, len(forwarded))]
            if _valid_ip(candidate):
                return candidate
    return remote if _valid_ip(remote) else "0.0.0.0"


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same rule for the login lockout."""
    return client_ip(request)


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{int(time.time() // window)}"


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one event; False once ``limit`` events happened in the current ``window`` seconds."""
    key = _key(scope, ident, window)
    try:
        if cache.add(key, 1, timeout=window + 1):
            return True
        return int(cache.incr(key)) <= limit
    except ValueError:  # expired between add and incr
        return True
    except Exception as exc:  # redis.exceptions.ConnectionError and kin: the cache is down
        logger.warning("ratelimit.cache_down", extra={"scope": scope, "error": type(exc).__name__})
        return True


def count(scope: str, ident: str, *, window: int) -> int:
    """How many events were counted in the current window (0 when the cache is down)."""
    try:
        return int(cache.get(_key(scope, ident, window)) or 0)
    except Exception as exc:
        logger.warning("ratelimit.cache_down", extra={"scope": scope, "error": type(exc).__name__})
        return 0


def locked(scope: str, ident: str) -> bool:
    try:
        return bool(
            cache.get(
                f"lock:{scope}:{hashlib.sha256(ident.encode('utf-8', 'replace')).hexdigest()[:32]}"
            )
        )
    except Exception as exc:
        logger.warning("ratelimit.cache_down", extra={"scope": scope, "error": type(exc).__name__})
        return False


def lock(scope: str, ident: str, *, seconds: int) -> None:
    try:
        cache.set(
            f"lock:{scope}:{hashlib.sha256(ident.encode('utf-8', 'replace')).hexdigest()[:32]}",
            1,
            timeout=seconds,
        )
    except Exception as exc:
        logger.warning("ratelimit.cache_down", extra={"scope": scope, "error": type(exc).__name__})
