"""Settings builders for the scaled-out set (issue 19), kept apart from ``portal.settings``.

The same code runs on one machine or many: these functions turn a few environment variables
into Django's ``STORAGES`` entry, a replica ``DATABASES`` alias, Celery's queues per workload and
Sentinel-backed broker and cache. Each is pure (no I/O), so ``manage.py envdoc`` and the compose
test can import the settings on any machine.
"""

from __future__ import annotations

from typing import Any

import environ

#: Celery queues, one per workload (issue 19). A worker consumes the ones its ``-Q`` names.
QUEUES: dict[str, str] = {
    "intake": "outbox relay and anything a dossier's intake triggers (cheap, latency-sensitive)",
    "pdf": "printed forms (WeasyPrint): slow, CPU-bound",
    "signing": "PAdES signing jobs (token sessions)",
    "notifications": "e-mail/SMS per dossier event and deadline reminders",
    "national_sync": "synchronisation with the national public-service portal (DVCQG)",
    "exchange": "edXML delivery to other agencies and status replies",
    "reports": "dashboard reports and summary-table refreshes",
}
ALL_QUEUES: tuple[str, ...] = ("default", *QUEUES)

#: Task name → queue. Routed by name (not by module) so a task that moves between apps keeps its
#: queue as long as it keeps its registered name; glob patterns catch tasks added later.
TASK_ROUTES: dict[str, dict[str, str]] = {
    "portal.core.tasks.relay_outbox": {"queue": "intake"},
    "portal.core.tasks.ping": {"queue": "default"},
    "portal.pdf.tasks.*": {"queue": "pdf"},
    "dossiers.tasks.render_printed_form": {"queue": "pdf"},
    "dossiers.tasks.requeue_stale_forms": {"queue": "pdf"},
    "signatures.tasks.*": {"queue": "signing"},
    "dossiers.checkpoints.*": {"queue": "signing"},  # signed and time-stamped history checkpoints
    "dossiers.document_store.*": {
        "queue": "intake"
    },  # the citizen's store fed by "dossier changed"
    "portal.notifications.tasks.*": {"queue": "notifications"},
    "portal.accounts.tasks.*": {"queue": "notifications"},  # flagged data accesses (issue 18)
    "portal.reminders.tasks.*": {"queue": "notifications"},
    "dossiers.tasks.send_*": {"queue": "notifications"},
    "dossiers.reminders.*": {"queue": "notifications"},
    "portal.national.*": {"queue": "national_sync"},
    "national.*": {"queue": "national_sync"},
    "dvcqg.*": {"queue": "national_sync"},
    "documents.tasks.*": {"queue": "exchange"},
    "dashboards.tasks.*": {"queue": "reports"},
}


def task_queues() -> list[Any]:
    """kombu ``Queue`` objects for every workload queue (``CELERY_TASK_QUEUES``)."""
    from kombu import Queue

    return [Queue(name, routing_key=name) for name in ALL_QUEUES]


def s3_storage(
    *,
    bucket: str,
    endpoint: str,
    region: str,
    access_key: str,
    secret_key: str,
    expire: int,
    demo: bool,
) -> dict[str, Any]:
    """``STORAGES['default']`` for a private S3-compatible bucket (django-storages' S3 backend).

    Private: no ACL is sent and every URL is pre-signed (``querystring_auth``) for ``expire``
    seconds. ``file_overwrite=False`` keeps FileSystemStorage's rule that saving under a taken
    name picks a new one, which the printed-form swap (save new, delete old after commit) needs.
    """
    if not (access_key and secret_key):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_ACCESS_KEY and S3_SECRET_KEY")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "access_key": access_key,
        "secret_key": secret_key,
        "region_name": region,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": expire,
        "file_overwrite": False,
        "signature_version": "s3v4",
        "addressing_style": "path",
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    if endpoint:
        options["endpoint_url"] = endpoint
        options["use_ssl"] = endpoint.startswith("https:")
        options["url_protocol"] = endpoint.split("//", 1)[0]
    return {"BACKEND": "portal.storage.PortalS3Storage", "OPTIONS": options}


def replica_database(url: str, primary: dict[str, Any]) -> dict[str, Any]:
    """The ``replica`` alias: same engine and options as the primary, a short connect timeout
    (a dead replica costs a read at most a second before the primary answers), and in tests a
    mirror of the primary (pytest-django creates no second test database)."""
    db = environ.Env.db_url_config(url)
    db["CONN_MAX_AGE"] = primary.get("CONN_MAX_AGE", 0)
    db["CONN_HEALTH_CHECKS"] = True
    db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 1)
    db["TEST"] = {"MIRROR": "default"}
    return db


def _sentinel_hosts(sentinels: str) -> list[tuple[str, int]]:
    hosts = []
    for item in sentinels.split(","):
        host, _, port = item.strip().rpartition(":")
        hosts.append((host or "127.0.0.1", int(port or 26379)))
    return hosts


def sentinel_broker_url(sentinels: str, db: int) -> str:
    """kombu's Sentinel transport: ``sentinel://h1:p1/db;sentinel://h2:p2/db`` (kombu docs,
    "Redis transport: Sentinel"); the master name goes in the transport options."""
    return ";".join(f"sentinel://{h}:{p}/{db}" for h, p in _sentinel_hosts(sentinels))


def redelivery_options(visibility_timeout: int) -> dict[str, Any]:
    """kombu Redis QoS options so a killed worker's messages are queued again within a minute
    (issue 13): a short visibility timeout (the live worker keeps its own messages fresh,
    ``portal.broker.KeepAlive``), a restore sweep every 5 s (``unacked_restore_interval`` ×
    ``unacked_restore_throttle``, 10 × 10 s by default), and a sweep lock that a worker killed
    during the sweep holds 15 s rather than 5 minutes."""
    return {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": 5,
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": 15,
    }


def sentinel_transport_options(master: str, visibility_timeout: int = 40) -> dict[str, Any]:
    """Broker options through Sentinel: a publish never blocks past 2 s on a dead master (the
    client asks the Sentinels again on the next try); redelivery as :func:`redelivery_options`."""
    return {
        "master_name": master,
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        **redelivery_options(visibility_timeout),
        "sentinel_kwargs": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }


def sentinel_caches(sentinels: str, master: str, db: int) -> dict[str, Any]:
    """Django's cache on the Sentinel master (``portal.sentinel_cache``, built on redis-py's
    ``Sentinel.master_for``)."""
    return {
        "default": {
            "BACKEND": "portal.sentinel_cache.SentinelRedisCache",
            "LOCATION": sentinels,
            "OPTIONS": {
                "master_name": master,
                "db": db,
                "socket_timeout": 1,
                "socket_connect_timeout": 1,
            },
        }
    }
