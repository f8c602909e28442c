"""Reads that may lag go to the streaming replica; everything else stays on the primary (issue 19).

Django's multi-database routing ("Multiple databases: automatic database routing") decides per
query. Here the rule is opt-in: only code run inside :func:`replica_reads` (the dashboards, their
exports, the Decision 766 index, the public statistics page, report rendering) reads from the
``replica`` alias, and only when

* the replica is configured, answers, and replays within ``REPLICA_MAX_LAG`` seconds (checked at
  most every ``REPLICA_CHECK_INTERVAL`` seconds per process); a replica found down sends the
  read — and, for a view, the whole view again — to the primary;
* the user has not written in the last ``REPLICA_PIN_SECONDS`` (read-your-writes): a write, seen
  on the primary connection during a request, pins that user's reads to the primary through a
  signed cookie and a cache key (the cookie for this browser, the key for the user's other
  devices and the API);
* the model is not one that identifies the user (sessions, accounts, auth, lockouts): a session
  created a millisecond ago must not look logged out.

Writes always go to the primary; migrations run on the primary only (the replica is a copy).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "portal_rw_pin"
#: Apps whose rows are never read from the replica (identity and sessions must be fresh).
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "axes", "contenttypes", "admin"})

_replica_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "replica_wanted", default=False
)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("pinned_to_primary", default=False)
_wrote: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "wrote_in_request", default=None
)


class _Health:
    """Per-process view of the replica: usable or not, refreshed at most every interval."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = -1e9
        self.usable = False
        self.lag: float | None = None

    def mark_down(self, reason: str) -> None:
        with self.lock:
            self.usable, self.checked_at = False, time.monotonic()
        logger.warning("replica.down", extra={"reason": reason})


health = _Health()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag() -> float:
    """Seconds the replica's replay is behind (0 when it has replayed all it received and the
    primary sent nothing newer; PostgreSQL docs, "pg_last_xact_replay_timestamp")."""
    with connections[REPLICA].cursor() as cur:
        cur.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
            " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
        )
        return float(cur.fetchone()[0])


def replica_usable() -> bool:
    """Is the replica up and within the lag threshold? Cached per process for the interval."""
    if not replica_configured():
        return False
    now = time.monotonic()
    if now - health.checked_at < settings.REPLICA_CHECK_INTERVAL:
        return health.usable
    with health.lock:
        if now - health.checked_at < settings.REPLICA_CHECK_INTERVAL:
            return health.usable
        try:
            lag = replica_lag()
            health.lag, health.usable = lag, lag <= settings.REPLICA_MAX_LAG
            if not health.usable:
                logger.warning(
                    "replica.lagging", extra={"lag": lag, "max": settings.REPLICA_MAX_LAG}
                )
        except DatabaseError as exc:
            health.usable, health.lag = False, None
            logger.warning("replica.unreachable", extra={"error": str(exc)[:200]})
            with contextlib.suppress(DatabaseError):
                connections[REPLICA].close()
        health.checked_at = time.monotonic()
        return health.usable


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads that may lag go to the replica (when it is fit to serve them)."""
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


@contextlib.contextmanager
def primary_reads() -> Iterator[None]:
    """Within this block every read goes to the primary (a pinned user, or a fallback)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def lag_tolerant(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a read-only view whose figures may be a few seconds old: it reads from the replica;
    if the replica fails under it, it is marked down and the view runs again on the primary."""

    @functools.wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        try:
            with replica_reads():
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                return response
        except DatabaseError as exc:
            if not _used_replica():
                raise
            health.mark_down(str(exc)[:200])
            with contextlib.suppress(DatabaseError):
                connections[REPLICA].close()
            with primary_reads():
                return view(request, *args, **kwargs)

    return wrapper


def _used_replica() -> bool:
    return replica_configured() and connections[REPLICA].connection is not None


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: replica for lag-tolerant reads, primary for the rest."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _replica_wanted.get() or _pinned.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        return REPLICA if replica_usable() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA


# --- read-your-writes ------------------------------------------------------------------------

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "MERGE")


def _pin_key(user_id: Any) -> str:
    return f"rw-pin:{user_id}"


def pin_user(user_id: Any) -> None:
    """Send ``user_id``'s reads to the primary for ``REPLICA_PIN_SECONDS`` (cache key part)."""
    cache.set(_pin_key(user_id), time.time(), settings.REPLICA_PIN_SECONDS)


def is_pinned(request: Any) -> bool:
    raw = request.COOKIES.get(PIN_COOKIE)
    if raw:
        with contextlib.suppress(signing.BadSignature):
            signing.get_cookie_signer(salt=PIN_COOKIE).unsign(
                raw, max_age=settings.REPLICA_PIN_SECONDS
            )
            return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return cache.get(_pin_key(user.pk)) is not None
    return False


class ReadYourWritesMiddleware:
    """Pin a user who has just written to the primary; see the module docstring."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if not replica_configured():
            return self.get_response(request)
        wrote: list[bool] = []
        token_w = _wrote.set(wrote)
        token_p = _pinned.set(is_pinned(request))

        def watch(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            if not wrote and sql.lstrip()[:6].upper().startswith(_WRITE_VERBS):
                wrote.append(True)
            return execute(sql, params, many, context)

        try:
            with connections["default"].execute_wrapper(watch):
                response = self.get_response(request)
        finally:
            _pinned.reset(token_p)
            _wrote.reset(token_w)
        if wrote or request.method not in ("GET", "HEAD", "OPTIONS"):
            value = signing.get_cookie_signer(salt=PIN_COOKIE).sign("1")
            response.set_cookie(
                PIN_COOKIE,
                value,
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                pin_user(user.pk)
        return response
