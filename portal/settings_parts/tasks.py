"""Settings of the background work: Redis (broker and cache, or the demo's filesystem broker and
file cache), Celery's delivery rules, and the beat schedule of the portal's own periodic tasks.

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here; the Sentinel switch of the scale-out block there may replace the broker and the
cache set here. The national platforms' beat tasks are added in ``portal.settings``
(:data:`portal.settings_parts.national.national_beat_schedule`).
"""

from __future__ import annotations

from celery.schedules import crontab

from portal import scaleout as _scaleout
from portal.config import config
from portal.settings_parts.base import VAR_DIR

REDIS_URL = config(
    "REDIS_URL",
    "",
    help_text="redis://host:6379/0. Broker and cache. Empty: a filesystem broker (demo).",
)
BROKER_VISIBILITY_TIMEOUT = config(
    "BROKER_VISIBILITY_TIMEOUT",
    40,
    cast=int,
    help_text="Seconds after which a message a dead worker took is queued again (Redis broker; a live worker keeps its own messages, however long the task).",
)
BROKER_KEEPALIVE_INTERVAL = config(
    "BROKER_KEEPALIVE_INTERVAL",
    max(1, BROKER_VISIBILITY_TIMEOUT // 4),
    cast=int,
    help_text="Seconds between two re-stamps of a live worker's unacknowledged messages; well below BROKER_VISIBILITY_TIMEOUT.",
)
if REDIS_URL:
    # portal.core.cache: a Redis outage is a cache miss (logged), never a 500
    CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # portal.broker: a broker turned replica is a lost connection (reconnect), not a crash
    CELERY_BROKER_TRANSPORT = "portal.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        **_scaleout.redelivery_options(BROKER_VISIBILITY_TIMEOUT),
    }
else:
    _broker_dir = VAR_DIR / "broker"
    for sub in ("out", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for its broker for ever, never exits
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BROKER_CONNECTION_TIMEOUT = 2  # a publish never waits on a dead broker longer than this
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = (
    True  # acks_late tasks are redelivered anyway
)
# Celery's Django fixup closes every DB connection before and after each task unless this is set:
# a new PostgreSQL connection (a backend started, authentication) per task was most of the cost of
# a task of the DVCQG sync (bench/README.md, "DVCQG sync"). With it set, portal/celery.py applies
# Django's own rule instead (CONN_MAX_AGE, health checks, a connection that failed is dropped).
CELERY_DB_REUSE_MAX = 1000
NOTIFICATION_SWEEP_INTERVAL = config(
    "NOTIFICATION_SWEEP_INTERVAL",
    60,
    cast=int,
    help_text="Seconds between two beat sweeps that re-send notifications a crashed worker left unsent.",
)
REMINDER_SCAN_INTERVAL = config(
    "REMINDER_SCAN_INTERVAL",
    300,
    cast=int,
    help_text="Seconds between two deadline scans of beat (due-soon and overdue reminders, apology drafts).",
)
REMINDER_DUE_SOON_HOURS = config(
    "REMINDER_DUE_SOON_HOURS",
    8,
    cast=int,
    help_text="Working hours before a step's due time at which its assignee is reminded (8 = one working day).",
)
REMINDER_DIGEST_HOUR = config(
    "REMINDER_DIGEST_HOUR",
    7,
    cast=int,
    help_text="Hour (province time) at which each leader gets the daily digest of due and overdue dossiers.",
)
REMINDER_APOLOGY_DAYS = config(
    "REMINDER_APOLOGY_DAYS",
    3,
    cast=int,
    help_text="Working days from now proposed as the new appointment date in a drafted apology (form 04).",
)
HISTORY_CHECKPOINT_INTERVAL = min(
    3600,
    config(
        "HISTORY_CHECKPOINT_INTERVAL",
        3600,
        cast=int,
        help_text="Seconds between two signed checkpoints of the dossier history (at most 3600: at least hourly).",
    ),
)
HISTORY_CHECKPOINT_DIR = config(
    "HISTORY_CHECKPOINT_DIR",
    str(VAR_DIR / "checkpoints"),
    help_text="Folder the history checkpoints are exported to as JSON files; copy it off the database server (write-once storage).",
)
CELERY_BEAT_SCHEDULE: dict = {
    # the transactional outbox (portal.core.outbox) and the notification sweep (crashed sends)
    "relay-outbox": {"task": "portal.core.tasks.relay_outbox", "schedule": 5.0},
    "requeue-stuck-notifications": {
        "task": "portal.notifications.tasks.requeue_stuck",
        "schedule": float(NOTIFICATION_SWEEP_INTERVAL),
    },
    # deadline reminders (dossiers.reminders, tasks in dossiers.tasks under their old names): the scan, the sender's safety net, the digest
    "scan-deadlines": {
        "task": "portal.notifications.tasks.scan_deadlines",
        "schedule": float(REMINDER_SCAN_INTERVAL),
    },
    "send-reminders": {
        "task": "portal.notifications.tasks.send_reminders",
        "schedule": float(NOTIFICATION_SWEEP_INTERVAL),
    },
    "daily-digest": {
        "task": "portal.notifications.tasks.daily_digest",
        "schedule": crontab(hour=REMINDER_DIGEST_HOUR, minute=30),
    },
    "requeue-stale-printed-forms": {
        "task": "portal.pdf.tasks.requeue_stale_forms",
        "schedule": 300.0,
    },
    "payment-platform-lookups": {
        "task": "national.payment_platform.tasks.scan_pending",
        "schedule": 30.0,
    },  # payments with no callback yet
    "dashboards-refresh": {
        "task": "dashboards.tasks.refresh_summaries",
        "schedule": 60.0,
    },  # dashboards summary tables
    # signed, time-stamped checkpoints of the dossier history's chain heads (dossiers.checkpoints)
    "checkpoint-history": {
        "task": "dossiers.checkpoints.checkpoint_history",
        "schedule": float(HISTORY_CHECKPOINT_INTERVAL),
    },
}
CELERY_IMPORTS = ("dossiers.checkpoints",)
