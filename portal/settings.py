"""Django settings for the one-stop portal.

Every value that differs between a laptop and production comes from the environment through
:func:`portal.config.config`; ``python manage.py envdoc`` lists them with their help texts.

This module is the one ``DJANGO_SETTINGS_MODULE`` names. Its sections live in
:mod:`portal.settings_parts` (issue 16: no module over 500 lines), one module per job, each
imported whole below: the mode and paths (``base``), the background work (``tasks``), access and
transport security (``security``), e-mail and SMS (``messaging``), digital signatures
(``signatures``), the edXML exchange (``documents``), online payment (``payments``) and the
national platforms (``national``). What ties the sections together stays here: the apps, the
database, static and media files, the API, logging and the scale-out switches.
"""

from __future__ import annotations

from pathlib import Path

from portal import scaleout as _scaleout
from portal.config import config, db_url
from portal.settings_parts.base import *  # noqa: F403
from portal.settings_parts.base import BASE_DIR, DEBUG, PORTAL_DEMO, PROVINCE_CODE, VAR_DIR
from portal.settings_parts.documents import *  # noqa: F403
from portal.settings_parts.messaging import *  # noqa: F403
from portal.settings_parts.national import *  # noqa: F403
from portal.settings_parts.national import national_beat_schedule
from portal.settings_parts.payments import *  # noqa: F403
from portal.settings_parts.security import *  # noqa: F403
from portal.settings_parts.security import TRUSTED_PROXY_COUNT
from portal.settings_parts.signatures import *  # noqa: F403
from portal.settings_parts.tasks import *  # noqa: F403
from portal.settings_parts.tasks import BROKER_VISIBILITY_TIMEOUT, CELERY_BEAT_SCHEDULE

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_htmx",
    "django_jsonform",  # the administrator's e-form editor (procedures.eforms)
    # the portal's own apps
    "portal.core",
    "portal.agencies",
    "portal.accounts",
    "portal.workcalendar",
    "portal.notifications",
    "portal.pdf",
    "procedures",
    "dossiers",
    "dossiers.payments",  # app label "payments": its tables and migrations keep that name
    "documents",
    "dashboards",
    "signatures",
    "national.payment_platform",
    "national.document_axis",
    "national.dvcqg",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.core.middleware.RejectNulBytesMiddleware",
    "portal.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.core.middleware.StaffIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.core.middleware.csp_form_targets",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": db_url(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        "Database URL. postgres://user:pass@host:5432/name in production and CI; SQLite for the demo.",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = config(
    "CONN_MAX_AGE",
    600,
    cast=int,
    help_text="Seconds a DB connection is kept (persistent connections).",
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
MIGRATION_DATABASE_URL = config(
    "MIGRATION_DATABASE_URL",
    "",
    help_text="Database URL of the tables' owner, which migrations run as (docker-compose's web start-up sets DATABASE_URL to it for `migrate` only). Empty: DATABASE_URL.",
)
DATABASE_APP_ROLE = config(
    "DATABASE_APP_ROLE",
    "",
    help_text="PostgreSQL role the portal runs as in production (owns no table; migrations run as the owner). Migrations grant it SELECT and INSERT only on the history and its checkpoints.",
)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis", "psycopg2"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- I18N ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day-first date input in both languages (Django's vi module has none, so typed dates were month-first).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(
    config("STATIC_ROOT", str(BASE_DIR / "staticfiles"), help_text="Where collectstatic writes.")
)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(
    config(
        "MEDIA_ROOT",
        str(VAR_DIR / "media"),
        help_text="Uploaded files and generated PDFs (private; served through views).",
    )
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
UPLOAD_MAX_BYTES = config(
    "UPLOAD_MAX_BYTES",
    10 * 1024 * 1024,
    cast=int,
    help_text="Largest file an applicant may attach.",
)
REQUEST_MAX_BYTES = config(
    "REQUEST_MAX_BYTES",
    100 * 1024 * 1024,
    cast=int,
    help_text="Largest request body (by its Content-Length) the portal reads at all; a longer one is refused with 413 before it is read.",
)
JSON_MAX_BYTES = config(
    "JSON_MAX_BYTES",
    2 * 1024 * 1024,
    cast=int,
    help_text="Largest JSON request body (API); a longer one is refused with 413 before it is read.",
)

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # the throttles' client address: see TRUSTED_PROXY_COUNT
}
SPECTACULAR_SETTINGS = {
    "TITLE": "One-stop portal API",
    "DESCRIPTION": "Procedures, dossiers, inter-agency documents (responses in the Accept-Language language: vi or en).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProcedureLevelEnum": "procedures.constants.ServiceLevel",
        "AgencyLevelEnum": "portal.agencies.constants.AgencyLevel",
        "DossierStatusEnum": "dossiers.constants.DossierStatus",
        "DossierChannelEnum": "dossiers.constants.Channel",
        "DossierTimelinessEnum": "dossiers.constants.Timeliness",
        "ResultDeliveryEnum": "dossiers.constants.ResultDelivery",
        "CounterChannelEnum": [(1, "In person at the counter"), (3, "Public postal service")],
        "OutgoingDocumentStateEnum": "documents.constants.OutgoingState",
        "IncomingDocumentStateEnum": "documents.constants.IncomingState",
        "DocumentRecallStateEnum": "documents.constants.RecallState",
        "ExchangeStatusCodeEnum": "documents.constants.StatusCode",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- The national platforms' beat tasks (portal/settings_parts/national.py) ---------------------
CELERY_BEAT_SCHEDULE.update(national_beat_schedule)
# the DVCQG unit code defaults to the province code, read above
DVCQG_MADONVI = config(
    "DVCQG_MADONVI",
    PROVINCE_CODE,
    help_text="The madonvi sent in every DVCQG call (the province's unit code).",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": config("LOG_LEVEL", "INFO", help_text="Root log level."),
    },
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ===============================================================================================
# --- Scale-out (issue 19): object storage, read replica, queues per workload, Sentinel, pooling --
# One machine or many, switched by these settings only. Every default keeps the one-machine demo
# (local files, one database, one worker consuming every queue, a plain Redis URL or none).
# ===============================================================================================
FILE_STORAGE = config(
    "FILE_STORAGE",
    "local",
    help_text="Where uploads, printed forms, signed results, attachments and reports live: 'local' (MEDIA_ROOT) or 's3' (an S3-compatible object store, private bucket).",
)
S3_BUCKET = config(
    "S3_BUCKET", "portal-files", help_text="Private bucket of the portal's files (FILE_STORAGE=s3)."
)
S3_ENDPOINT_URL = config(
    "S3_ENDPOINT_URL", "", help_text="S3 endpoint (http://seaweedfs:8333); empty: AWS."
)
S3_REGION = config("S3_REGION", "us-east-1", help_text="S3 region name used in request signatures.")
S3_ACCESS_KEY = config(
    "S3_ACCESS_KEY", "", help_text="S3 access key id. No default: required with FILE_STORAGE=s3."
)
S3_SECRET_KEY = config(
    "S3_SECRET_KEY",
    "",
    help_text="S3 secret access key. No default: required with FILE_STORAGE=s3.",
)
S3_DOWNLOAD = config(
    "S3_DOWNLOAD",
    "stream",
    help_text="How a download leaves the store after the portal's access check: 'stream' (through the portal) or 'presigned' (a redirect to a short-lived pre-signed URL; S3_PUBLIC_ENDPOINT_URL must then be reachable by browsers).",
)
S3_PUBLIC_ENDPOINT_URL = config(
    "S3_PUBLIC_ENDPOINT_URL",
    "",
    help_text="Endpoint browsers reach for pre-signed URLs (https://files.example.gov.vn); empty: S3_ENDPOINT_URL.",
)
S3_URL_EXPIRE = config(
    "S3_URL_EXPIRE", 60, cast=int, help_text="Seconds a pre-signed download URL stays valid."
)
if FILE_STORAGE == "s3":
    STORAGES["default"] = _scaleout.s3_storage(
        bucket=S3_BUCKET,
        endpoint=S3_ENDPOINT_URL,
        region=S3_REGION,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        expire=S3_URL_EXPIRE,
        demo=PORTAL_DEMO,
    )

DATABASE_REPLICA_URL = config(
    "DATABASE_REPLICA_URL",
    "",
    help_text="Streaming replica for reads that may lag (dashboards, exports, the 766 index, public statistics). Empty: every read goes to DATABASE_URL.",
)
REPLICA_MAX_LAG = config(
    "REPLICA_MAX_LAG",
    5.0,
    cast=float,
    help_text="Seconds of replay lag past which the replica is skipped and reads go to the primary.",
)
REPLICA_PIN_SECONDS = config(
    "REPLICA_PIN_SECONDS",
    10,
    cast=int,
    help_text="Seconds a user's reads stay on the primary after that user's own write (read-your-writes).",
)
REPLICA_CHECK_INTERVAL = config(
    "REPLICA_CHECK_INTERVAL",
    1.0,
    cast=float,
    help_text="Seconds between two checks of the replica's health and lag (per process).",
)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _scaleout.replica_database(DATABASE_REPLICA_URL, DATABASES["default"])
DATABASE_ROUTERS = ["portal.dbrouting.ReplicaRouter"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "portal.dbrouting.ReadYourWritesMiddleware",
)
# PgBouncer in transaction mode hands each transaction to any server connection: named
# server-side cursors (iterator()) cannot live across them (Django docs, "Transaction pooling").
DISABLE_SERVER_SIDE_CURSORS = config(
    "DISABLE_SERVER_SIDE_CURSORS",
    False,
    cast=bool,
    help_text="Set 1 behind PgBouncer in transaction mode (DATABASE_URL pointing at PgBouncer).",
)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DISABLE_SERVER_SIDE_CURSORS
if "replica" in DATABASES:
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DISABLE_SERVER_SIDE_CURSORS

# Celery: one queue per workload, so a burst of PDFs or reports never delays a notification.
# A worker started with `-Q a,b` consumes those; one started without -Q (the demo's single
# worker, the tests' workers) consumes every queue listed here.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = _scaleout.task_queues()
CELERY_TASK_ROUTES = _scaleout.TASK_ROUTES
CELERY_TASK_CREATE_MISSING_QUEUES = True

REDIS_SENTINELS = config(
    "REDIS_SENTINELS",
    "",
    help_text="host:port,host:port of the Redis Sentinels; set with REDIS_SENTINEL_MASTER, broker and cache follow the master through failovers (REDIS_URL is then unused).",
)
REDIS_SENTINEL_MASTER = config(
    "REDIS_SENTINEL_MASTER", "portal", help_text="Name of the master the Sentinels watch."
)
REDIS_DB = config("REDIS_DB", 0, cast=int, help_text="Redis database number used through Sentinel.")
if REDIS_SENTINELS:
    CACHES = _scaleout.sentinel_caches(REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_DB)
    CELERY_BROKER_URL = _scaleout.sentinel_broker_url(REDIS_SENTINELS, REDIS_DB)
    CELERY_BROKER_TRANSPORT = "portal.broker:SentinelTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS = _scaleout.sentinel_transport_options(
        REDIS_SENTINEL_MASTER, BROKER_VISIBILITY_TIMEOUT
    )
