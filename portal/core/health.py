"""What ``/healthz`` reports: the database, the Celery broker and the cache, each on its own.

The health check said "ok" while Redis was down and the public pages failed (issue 13). Now each
part is probed with a short timeout and named: ``{"status": "ok" | "degraded" | "down",
"database": "ok" | "down", "broker": ..., "cache": ...}``. Without the database nothing works
(HTTP 503, the orchestrator restarts or stops routing); without the broker or the cache the portal
still serves (HTTP 200, "degraded": the outbox keeps the tasks, the cache is skipped), so the web
containers are not restarted for an outage of Redis, but monitoring sees it.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)
TIMEOUT = 1.0


def database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:  # any driver error means "down"
        logger.warning("healthz.database_down", extra={"error": type(exc).__name__})
        return False


def broker() -> bool:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        from pathlib import Path

        return Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).is_dir()
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            return bool(
                redis.Redis.from_url(
                    url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
                ).ping()
            )
        from kombu import Connection

        with Connection(
            url, connect_timeout=TIMEOUT, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
        ) as conn:
            conn.ensure_connection(max_retries=0)
        return True
    except Exception as exc:
        logger.warning("healthz.broker_down", extra={"error": type(exc).__name__})
        return False


def cache_ok() -> bool:
    """Write and read back a random value (a degraded cache returns a miss: "down")."""
    value = secrets.token_hex(8)
    try:
        cache.set("healthz:probe", value, 10)
        return cache.get("healthz:probe") == value
    except Exception as exc:
        logger.warning("healthz.cache_down", extra={"error": type(exc).__name__})
        return False


def report() -> tuple[dict[str, str], int]:
    parts = {"database": database(), "broker": broker(), "cache": cache_ok()}
    body = {name: "ok" if up else "down" for name, up in parts.items()}
    if not parts["database"]:
        body["status"], code = "down", 503
    elif all(parts.values()):
        body["status"], code = "ok", 200
    else:
        body["status"], code = "degraded", 200
    return body, code
