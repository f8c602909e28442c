"""Django settings for the one-stop portal.

Every value that differs between a laptop and production comes from the environment through
:func:`portal.config.config`; ``python manage.py envdoc`` lists them with their help texts.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab

from portal.config import config, db_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(
    config(
        "PORTAL_VAR_DIR",
        str(BASE_DIR / "var"),
        help_text="Writable folder for the demo database, broker queue, media and keys.",
    )
)
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = config("DEBUG", False, cast=bool, help_text="Django debug mode. Never on in production.")
PORTAL_DEMO = config(
    "PORTAL_DEMO",
    False,
    cast=bool,
    help_text="Demo mode (1: insecure demo defaults, the test gateway, plain HTTP). Off by default: production needs SECRET_KEY and gets HSTS, HTTPS redirect, Secure cookies and a CSP. scripts/run-demo.sh and scripts/test.sh set 1.",
)
SECRET_KEY = config(
    "SECRET_KEY",
    "insecure-demo-key-change-me" if DEBUG or PORTAL_DEMO else None,
    help_text="Cryptographic signing key. Required in production (PORTAL_DEMO=0); no default there.",
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY must be set when PORTAL_DEMO=0 (production, the default); set PORTAL_DEMO=1 for the demo"
    )

ALLOWED_HOSTS = config(
    "ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver"],
    cast=list,
    help_text="Host names this portal answers to.",
)
CSRF_TRUSTED_ORIGINS = config(
    "CSRF_TRUSTED_ORIGINS",
    [],
    cast=list,
    help_text="Origins allowed for CSRF (https://portal.example.gov.vn).",
)
SITE_URL = config(
    "SITE_URL",
    "http://127.0.0.1:8000",
    help_text="Public base URL, used in e-mails, QR codes and PDFs.",
)
PROVINCE_CODE = config(
    "PROVINCE_CODE", "000.00.00.H18", help_text="Official code of the province this portal serves."
)
PROVINCE_NAME = config(
    "PROVINCE_NAME",
    "Điện Biên",
    help_text="Name of the province, shown in the site header and footer.",
)
HOTLINE = config("HOTLINE", "1800 1096", help_text="Support telephone shown in the footer.")

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

# --- Redis, cache, Celery -----------------------------------------------------------------------
from portal import scaleout as _scaleout  # noqa: E402

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

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.accounts.backends.EmailPhoneOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.accounts.validators.LetterAndDigitValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AXES_FAILURE_LIMIT = config(
    "AXES_FAILURE_LIMIT",
    5,
    cast=int,
    help_text="Failed logins before an account (whatever spelling of its name was typed) + IP is locked out.",
)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# count failures on the account the name resolves to, whatever its spelling (portal.accounts.lockout)
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.lockout_username"
PASSWORD_RESET_RATE = config(
    "PASSWORD_RESET_RATE",
    5,
    cast=int,
    help_text="Password-reset requests a client may make per hour (and at most 3 per e-mail address); more are answered as usual but send nothing.",
)
STAFF_IDLE_TIMEOUT = config(
    "STAFF_IDLE_TIMEOUT",
    1800,
    cast=int,
    help_text="Seconds of inactivity after which a staff session ends.",
)
SESSION_COOKIE_HTTPONLY = True
#: Production unless demo mode or debug: the secure transport settings below default to on.
PRODUCTION = not (PORTAL_DEMO or DEBUG)
SESSION_COOKIE_SECURE = config(
    "SESSION_COOKIE_SECURE",
    PRODUCTION,
    cast=bool,
    help_text="Send the session and CSRF cookies over HTTPS only (on by default in production).",
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = PRODUCTION  # no page script reads the CSRF cookie (forms carry the token)
SECURE_SSL_REDIRECT = config(
    "SECURE_SSL_REDIRECT",
    PRODUCTION,
    cast=bool,
    help_text="Redirect plain HTTP to HTTPS (on by default in production; the TLS proxy must send X-Forwarded-Proto).",
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check speaks plain HTTP on loopback
SECURE_HSTS_SECONDS = config(
    "SECURE_HSTS_SECONDS",
    31536000 if PRODUCTION else 0,
    cast=int,
    help_text="Strict-Transport-Security max-age in seconds (one year by default in production, 0 = no HSTS).",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    PRODUCTION,
    cast=bool,
    help_text="HSTS covers the subdomains too.",
)
SECURE_HSTS_PRELOAD = config(
    "SECURE_HSTS_PRELOAD",
    PRODUCTION,
    cast=bool,
    help_text="Ask browsers to preload HSTS for this domain.",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


#: Content-Security-Policy (django-csp 4): scripts only from the portal itself, never inline (the
#: templates keep their scripts in static/); styles may be inline (style attributes, Chart.js).
def _origins(*urls: str) -> list[str]:
    from urllib.parse import urlsplit

    return sorted(
        {f"{u.scheme}://{u.netloc}" for u in map(urlsplit, urls) if u.scheme and u.netloc}
    )


_csp_report_only = config(
    "CSP_REPORT_ONLY",
    False,
    cast=bool,
    help_text="Send the Content-Security-Policy as Report-Only (to try a change); enforced by default.",
)
_CSP = {
    "EXCLUDE_URL_PREFIXES": ["/api/redoc/"],  # ReDoc's page initialises itself inline
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # A form may lead to the payment gateways' and the national sign-on's own pages.
        "form-action": [
            "'self'",
            *_origins(
                config("PAYMENT_GATEWAY_URL", ""),
                config("PAYMENT_PLATFORM_INIT_URL", ""),
                config("VNEID_ISSUER", ""),
            ),
        ],
    },
}
if _csp_report_only:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

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

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = config(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend",
    help_text="Django e-mail backend. SMTP in production; the demo writes mails to var/mail.",
)
EMAIL_FILE_PATH = config(
    "EMAIL_FILE_PATH",
    str(VAR_DIR / "mail"),
    help_text="Folder the file-based e-mail backend writes to.",
)
EMAIL_HOST = config("EMAIL_HOST", "localhost", help_text="SMTP host.")
EMAIL_PORT = config("EMAIL_PORT", 25, cast=int, help_text="SMTP port.")
EMAIL_HOST_USER = config("EMAIL_HOST_USER", "", help_text="SMTP user.")
EMAIL_HOST_PASSWORD = config("EMAIL_HOST_PASSWORD", "", help_text="SMTP password.")
EMAIL_USE_TLS = config("EMAIL_USE_TLS", False, cast=bool, help_text="SMTP STARTTLS.")
DEFAULT_FROM_EMAIL = config(
    "DEFAULT_FROM_EMAIL",
    "Cổng dịch vụ công <no-reply@dichvucong.local>",
    help_text="Sender of the portal's e-mails.",
)
SMS_BACKEND = config(
    "SMS_BACKEND",
    "portal.notifications.sms.DatabaseSmsBackend",
    help_text="SMS backend: portal.notifications.sms.HttpBrandnameSmsBackend in production; the default only records the SMS.",
)
SMS_GATEWAY_URL = config(
    "SMS_GATEWAY_URL", "", help_text="Brandname SMS gateway endpoint (JSON POST)."
)
SMS_API_KEY = config("SMS_API_KEY", "", help_text="API key of the SMS gateway.")
SMS_BRANDNAME = config(
    "SMS_BRANDNAME", "DICHVUCONG", help_text="Registered SMS brandname (sender name)."
)
NOTIFICATION_CLAIM_TIMEOUT = config(
    "NOTIFICATION_CLAIM_TIMEOUT",
    600,
    cast=int,
    help_text="Seconds after which a notification stuck in sending (worker crash) is sent again.",
)

# --- Rate limits (portal.core.ratelimit, dossiers.tracking_guard) -----------------------------
TRUSTED_PROXY_COUNT = config(
    "TRUSTED_PROXY_COUNT",
    0,
    cast=int,
    help_text="Reverse proxies in front of the portal that append to X-Forwarded-For (0: the TCP peer is the client and X-Forwarded-For is ignored). Rate limits, the login lockout and DRF throttles read the client address by it.",
)
TRACKING_CLIENT_RATE = config(
    "TRACKING_CLIENT_RATE",
    20,
    cast=int,
    help_text="Public tracking look-ups (page and API together) a client may make per minute.",
)
TRACKING_CODE_MAX_FAILURES = config(
    "TRACKING_CODE_MAX_FAILURES",
    5,
    cast=int,
    help_text="Wrong second factors after which a dossier code is locked for public tracking.",
)
TRACKING_CODE_LOCK_SECONDS = config(
    "TRACKING_CODE_LOCK_SECONDS",
    900,
    cast=int,
    help_text="How long (s) a dossier code stays locked for public tracking after too many wrong second factors.",
)
AXES_CLIENT_IP_CALLABLE = "portal.core.ratelimit.axes_client_ip"

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

# --- Digital signatures (signatures app) ------------------------------------------------------
PKCS11_MODULE = config(
    "PKCS11_MODULE",
    "/usr/lib/softhsm/libsofthsm2.so",
    help_text="PKCS#11 library of the officials' signing tokens (SoftHSM2 in the demo).",
)
SIGNATURE_KEK = config(
    "SIGNATURE_KEK",
    "",
    help_text="Key-encryption secret for CA keys and imported PKCS#12 files. Empty: derived from SECRET_KEY (demo only).",
)
SIGNATURE_TSA_URL = config(
    "SIGNATURE_TSA_URL",
    "",
    help_text="RFC 3161 time-stamp authority. Empty: the portal's own TSA at SITE_URL/chu-ky-so/tsa/.",
)
SIGNATURE_TRUST_ROOTS = config(
    "SIGNATURE_TRUST_ROOTS",
    "",
    help_text="PEM file of trusted root CAs (e.g. the Government Cipher Committee's). The portal's own root is always trusted.",
)
SIGNATURE_FONT = config(
    "SIGNATURE_FONT",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    help_text="TTF font with Vietnamese glyphs for visible signature stamps.",
)

# --- Inter-agency documents (documents app, edXML exchange) ------------------------------------
EDXML_PEERS = config(
    "EDXML_PEERS",
    "",
    help_text='JSON list of exchange peers for bootstrapping, besides the ExchangePeer rows: [{"name": .., "organ_code": "*.H29", "endpoint_url": "https://../api/v1/edxml/inbound/", "trust_roots_file": "/path/roots.pem"}].',
)
EDXML_MAX_ATTACHMENT_BYTES = config(
    "EDXML_MAX_ATTACHMENT_BYTES",
    7 * 1024 * 1024,
    cast=int,
    help_text="Largest attachment (decoded bytes) sent or accepted over the exchange.",
)
EDXML_MAX_ENVELOPE_BYTES = config(
    "EDXML_MAX_ENVELOPE_BYTES",
    24 * 1024 * 1024,
    cast=int,
    help_text="Largest edXML envelope the inbound endpoint reads; a longer request is refused before it is read.",
)
EDXML_REVOCATION_CHECK = config(
    "EDXML_REVOCATION_CHECK",
    "prefer",
    help_text="Revocation of the signer of an incoming envelope: 'require' refuses it when the status cannot be learnt (CRL down), 'prefer' accepts it with a warning in the log, 'off' skips the check. A revoked signer is always refused (unless 'off').",
)
EDXML_CRL_TIMEOUT = config(
    "EDXML_CRL_TIMEOUT", 5, cast=int, help_text="Seconds to wait for a peer CA's CRL."
)
EDXML_CRL_MAX_AGE = config(
    "EDXML_CRL_MAX_AGE",
    3600,
    cast=int,
    help_text="Longest time (s) a fetched CRL is trusted before it is fetched again (sooner if its nextUpdate says so).",
)
EDXML_HTTP_TIMEOUT = config(
    "EDXML_HTTP_TIMEOUT", 30, cast=int, help_text="Seconds to wait for a peer's inbound endpoint."
)
EDXML_RETRY_BACKOFF = config(
    "EDXML_RETRY_BACKOFF",
    10,
    cast=int,
    help_text="First retry delay (s) of a failed delivery; doubles each attempt up to EDXML_RETRY_BACKOFF_MAX.",
)
EDXML_RETRY_BACKOFF_MAX = config(
    "EDXML_RETRY_BACKOFF_MAX",
    600,
    cast=int,
    help_text="Longest delay (s) between two delivery attempts.",
)
EDXML_MAX_RETRIES = config(
    "EDXML_MAX_RETRIES",
    12,
    cast=int,
    help_text="Delivery attempts before a recipient is marked failed (visible in the admin, resendable).",
)

# --- Online payment (payments app) --------------------------------------------------------------
PAYMENT_GATEWAY_URL = config(
    "PAYMENT_GATEWAY_URL",
    "",
    help_text="Payment gateway URL (VNPay-style). Empty: the built-in test gateway (demo only).",
)
PAYMENT_MERCHANT_CODE = config(
    "PAYMENT_MERCHANT_CODE",
    "DEMO0001",
    help_text="The portal's merchant (terminal) code at the payment gateway.",
)
PAYMENT_HMAC_SECRET = config(
    "PAYMENT_HMAC_SECRET",
    "demo-payment-secret" if PORTAL_DEMO else "",
    help_text="Shared secret for the HMAC-SHA512 signatures of payment messages. No production default: online payment refuses to run without it.",
)
PAYMENT_PENDING_TIMEOUT = config(
    "PAYMENT_PENDING_TIMEOUT",
    900,
    cast=int,
    help_text="Seconds an online payment stays pending (the gateway's payment window); meanwhile no second payment of the dossier can start.",
)
PAYMENT_TEST_GATEWAY = config(
    "PAYMENT_TEST_GATEWAY",
    PORTAL_DEMO,
    cast=bool,
    help_text="Serve the built-in test gateway at /thanh-toan/test-gateway/ (demo and tests only).",
)
PAYMENT_GATEWAY = config(
    "PAYMENT_GATEWAY",
    "vnpay",
    help_text="Which gateway online payments go to: 'vnpay' (the VNPay-shaped gateway at PAYMENT_GATEWAY_URL, or the built-in test gateway) or 'national' (the national payment platform, PAYMENT_PLATFORM_*).",
)

# --- The national platforms: document axis, payment platform, VNeID, DVCQG -----------------------
# In portal/settings_parts/national.py (issue 16: no module over 500 lines).
from portal.settings_parts.national import *  # noqa: E402, F403
from portal.settings_parts.national import national_beat_schedule  # noqa: E402

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
