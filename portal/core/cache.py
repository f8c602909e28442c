"""A Redis cache that degrades instead of failing when Redis is down.

Django's ``RedisCache`` raises ``redis.exceptions.ConnectionError`` from every call when Redis is
stopped, so every page that touches the cache — the public tracking page (its page cache), the
tracking and signature-verification APIs (DRF's throttles keep their history in the cache) —
answered 500 while ``/healthz`` said ok (issue 13). The cache is an optimisation: here a failed
call behaves as a miss (``get`` → default, ``set``/``add`` → not stored, ``incr`` → ``ValueError``
as for a missing key), logs ``cache.unavailable`` once per pause, and for ``PAUSE`` seconds the
portal stops asking (a Redis that accepts connections but never answers would otherwise cost the
2 s socket timeout on every call). DRF's throttles therefore fail open while Redis is down; the
login lockout (django-axes) keeps its counts in the database and is not affected.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

#: Seconds the cache is left alone after a failure.
PAUSE = 5.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        redis.exceptions.ReadOnlyError,
        OSError,
    )


class DegradingRedisCache(RedisCache):
    _down_until = 0.0

    def is_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, op: str, exc: BaseException) -> None:
        if self.is_available():
            logger.warning(
                "cache.unavailable", extra={"op": op, "error": type(exc).__name__, "pause_s": PAUSE}
            )
        type(self)._down_until = time.monotonic() + PAUSE

    def _call(self, op: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.is_available():
            return default
        try:
            return getattr(super(), op)(*args, **kwargs)
        except _redis_errors() as exc:
            self._failed(op, exc)
            return default

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", default, key, default, version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", None, key, value, timeout, version)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call("add", False, key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", False, key, timeout, version)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._call("delete", False, key, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        return self._call("get_many", {}, keys, version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._call("has_key", False, key, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError("cache unavailable")  # what a missing key raises: callers handle it
        return result

    def set_many(
        self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list:
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", None, keys, version)

    def clear(self) -> None:
        self._call("clear", None)
