"""Django's Redis cache through Redis Sentinel (issue 19), on redis-py's ``Sentinel``.

Django's ``RedisCache`` takes fixed server URLs; behind Sentinel the master moves. This client
asks the Sentinels for the master (``Sentinel.master_for``: its pool re-discovers the master when
a connection fails) and treats the cache as what it is, a cache: while a failover runs (about
2–3 s on this machine, docs/tech-facts.md "Scale-out engines") a read misses and a write is
dropped instead of failing the request, and every call is bounded by short socket timeouts, so no
request stalls for seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


class SentinelRedisCacheClient(RedisCacheClient):
    def __init__(
        self,
        servers: list[str],
        *,
        master_name: str,
        db: int = 0,
        socket_timeout: float = 1,
        socket_connect_timeout: float = 1,
        **options: Any,
    ) -> None:
        super().__init__(servers, **options)
        from redis.sentinel import Sentinel

        hosts = []
        for item in servers:
            host, _, port = item.strip().rpartition(":")
            hosts.append((host or "127.0.0.1", int(port or 26379)))
        self._sentinel = Sentinel(
            hosts,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_connect_timeout,
            sentinel_kwargs={
                "socket_timeout": socket_timeout,
                "socket_connect_timeout": socket_connect_timeout,
            },
        )
        self._master = self._sentinel.master_for(
            master_name,
            db=db,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_connect_timeout,
        )

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        return self._master


def _tolerant(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    parent = getattr(RedisCache, name)

    def method(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return parent(self, *args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError) as exc:
            logger.warning("cache.unavailable", extra={"op": name, "error": str(exc)})
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


def _default(key: Any, default: Any = None, *a: Any, **k: Any) -> Any:
    return default


class SentinelRedisCache(RedisCache):
    """``CACHES['default']['BACKEND']`` behind Sentinel; LOCATION lists the Sentinels."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SentinelRedisCacheClient

    get = _tolerant("get", _default)
    set = _tolerant("set", lambda *a, **k: None)
    add = _tolerant("add", lambda *a, **k: False)
    touch = _tolerant("touch", lambda *a, **k: False)
    delete = _tolerant("delete", lambda *a, **k: False)
    get_many = _tolerant("get_many", lambda *a, **k: {})
    set_many = _tolerant("set_many", lambda *a, **k: [])
    delete_many = _tolerant("delete_many", lambda *a, **k: None)
    has_key = _tolerant("has_key", lambda *a, **k: False)
