"""The Celery broker's Redis transport, made to survive a broker that changes role (issue 13).

**Role changes.** When the Redis the worker consumes from turns replica (``REPLICAOF host port``,
a Sentinel failover demoting it, an operator's mistake), Redis unblocks every blocked ``BRPOP`` with
``-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)``
and answers every later write with ``-READONLY``. redis-py raises both as ``ResponseError``, which
kombu counts as a *channel* error, not a connection error: the consumer's loop does not catch it
and the worker process exits for good (seen in the attack run; reproduced in
``tests/outbox/test_worker_recovery.py``). Here the connection turns those two replies into
``redis.ConnectionError`` (and drops the socket), so Celery's consumer does what it does for a lost
broker: it reconnects with back-off (``broker_connection_max_retries = None``: for ever) and resumes
once the server is a master again. A connection to a server that says it is a replica is refused at
connect time (``ROLE``), so the reconnect loop waits with back-off instead of spinning on
``READONLY``. redis-py's Sentinel connection already does the ``READONLY`` half for a demoted master
(``SentinelManagedConnection.read_response``); the ``UNBLOCKED`` half is added to it here too.

**Lost workers.** kombu's Redis QoS keeps every delivered, unacknowledged message in the
``unacked`` hash with its delivery time in ``unacked_index``; any consumer re-queues the ones older
than ``visibility_timeout`` (``QoS.restore_visible``, every ``unacked_restore_interval`` ×
``unacked_restore_throttle`` seconds). A worker killed with SIGKILL (OOM killer, a lost node) cannot
give its messages back, so they wait for that timeout, which therefore had to be longer than the
longest task or ETA (1 h here). :class:`KeepAlive` (a consumer bootstep registered in
``portal.celery``) lets the timeout be short instead: the live worker re-stamps the delivery time of
every message its channel still holds every ``BROKER_VISIBILITY_TIMEOUT / 4`` seconds, so a long
render or a retry's countdown is never handed out while its worker lives, and a dead worker's
messages are back in the queue ``BROKER_VISIBILITY_TIMEOUT`` (+ the restore interval) after it died.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import bootsteps
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError, ResponseError
from redis.sentinel import SentinelManagedConnection

logger = logging.getLogger(__name__)

#: Redis's error replies that mean "this server stopped being a master" (``blocked.c``,
#: ``disconnectAllBlockedClients``; ``server.c`` for writes on a read-only replica).
ROLE_CHANGED = ("UNBLOCKED", "READONLY")


def role_changed(exc: BaseException) -> bool:
    return isinstance(exc, ReadOnlyError) or (
        isinstance(exc, ResponseError) and str(exc).startswith(ROLE_CHANGED)
    )


class _RoleAware:
    """Mixin for a redis-py connection: a demoted server is a lost connection, not a bad command."""

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().read_response(*args, **kwargs)  # type: ignore[misc]
        except ResponseError as exc:
            if not role_changed(exc):
                raise
            self.disconnect()  # type: ignore[attr-defined]
            raise RedisConnectionError(f"the broker is no longer a master: {exc}") from exc


class _MasterOnly(_RoleAware):
    # redis-py >= 6 runs the handshake in on_connect_check_health (on_connect only delegates to it)
    def on_connect_check_health(self, *args: Any, **kwargs: Any) -> None:
        super().on_connect_check_health(*args, **kwargs)  # type: ignore[misc]
        self.send_command("ROLE")  # type: ignore[attr-defined]
        try:
            role = super().read_response()  # type: ignore[misc]
        except ResponseError:  # ROLE renamed or denied (managed Redis, ACL): the replies decide
            return
        if role and role[0] in (b"slave", "slave", b"replica", "replica"):
            self.disconnect()  # type: ignore[attr-defined]
            raise RedisConnectionError("the broker is a replica (REPLICAOF): waiting for a master")


class MasterConnection(_MasterOnly, redis.Connection):
    pass


class MasterSSLConnection(_MasterOnly, redis.SSLConnection):
    pass


class SentinelMasterConnection(_RoleAware, SentinelManagedConnection):
    pass


class QoS(kombu_redis.QoS):
    """An acknowledgement the broker refused (it went away or turned replica) is forgotten here
    all the same: left counted as unacknowledged it would fill the prefetch window for good
    (``can_consume()`` false, no ``BRPOP`` sent again, the worker idle after the broker is back).
    The broker still holds the message and hands it out again after the visibility timeout: the
    tasks are idempotent (at-least-once delivery)."""

    def ack(self, delivery_tag: Any) -> None:
        try:
            super().ack(delivery_tag)
        except self.channel.connection_errors:
            self._quick_ack(delivery_tag)
            raise

    def reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        try:
            super().reject(delivery_tag, requeue=requeue)
        except self.channel.connection_errors:
            self._quick_ack(delivery_tag)
            raise


class Channel(kombu_redis.Channel):
    QoS = QoS
    connection_class = MasterConnection
    connection_class_ssl = MasterSSLConnection


class Transport(kombu_redis.Transport):
    """``CELERY_BROKER_TRANSPORT`` for ``redis://`` brokers."""

    Channel = Channel


class SentinelChannel(kombu_redis.SentinelChannel):
    QoS = QoS
    connection_class = SentinelMasterConnection


class SentinelTransport(kombu_redis.SentinelTransport):
    """``CELERY_BROKER_TRANSPORT`` for ``sentinel://`` brokers."""

    Channel = SentinelChannel


def refresh_unacked(channel: Any, *, now: float | None = None) -> int:
    """Re-stamp the delivery time of the messages ``channel`` holds unacknowledged; returns how many.

    ``ZADD … XX`` only updates members still there: a message acknowledged meanwhile (removed from
    the index by ``QoS.ack``) is not brought back.
    """
    qos = getattr(channel, "qos", None)
    tags = list(getattr(qos, "_delivered", {}) or ())
    if qos is None or not tags or not hasattr(qos, "unacked_index_key"):
        return 0
    stamp = time.time() if now is None else now
    with channel.conn_or_acquire() as client:
        return int(client.zadd(qos.unacked_index_key, dict.fromkeys(tags, stamp), xx=True, ch=True))


class KeepAlive(bootsteps.StartStopStep):
    """Consumer bootstep: keep this worker's unacknowledged messages invisible while it lives."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.tref: Any = None

    def start(self, parent: Any) -> None:
        from django.conf import settings

        options = parent.app.conf.broker_transport_options or {}
        timeout = options.get("visibility_timeout")
        if not timeout or not parent.app.conf.broker_url.startswith(("redis", "sentinel")):
            return
        interval = max(1.0, float(getattr(settings, "BROKER_KEEPALIVE_INTERVAL", timeout / 4)))

        def tick() -> None:
            consumer = getattr(parent, "task_consumer", None)
            if consumer is None:
                return
            try:
                refresh_unacked(consumer.channel)
            except Exception:  # noqa: BLE001 - the broker is away: the consumer reconnects by itself
                logger.warning("broker.keepalive_failed", exc_info=True)

        self.tref = parent.timer.call_repeatedly(interval, tick)

    def stop(self, parent: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop
