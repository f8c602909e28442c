"""Settings of the VNeID simulator (a Django project of its own, never the portal's settings).

Read from the environment by :mod:`.serve`: ``VNEID_SIM_ISSUER`` (``http://127.0.0.1:PORT/o``),
``VNEID_SIM_DB`` (SQLite file), ``VNEID_SIM_KEY`` (PEM file of the RSA signing key).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ.get("VNEID_SIM_SECRET", "vneid-simulator-only-never-production")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
    "national.vneid_simulator.apps.VneidSimulatorConfig",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "national.vneid_simulator.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("VNEID_SIM_DB", ":memory:"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
# The login page's texts are English msgids with a Vietnamese catalogue (locale/), Vietnamese by
# default as VNeID's own page; a browser asking for English (Accept-Language) gets English.
USE_I18N = True
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Vietnamese"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
LOGIN_URL = "/accounts/login/"
SESSION_COOKIE_NAME = "vneid_sim_session"  # not the portal's cookie name (both live on 127.0.0.1)
CSRF_COOKIE_NAME = "vneid_sim_csrf"
# The demo identities' passwords are published test data; a deliberately slow hash (PBKDF2, ~0.4 s)
# would make every login measure the simulator instead of the portal (bench/eid_login.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_key_file = os.environ.get("VNEID_SIM_KEY", "")
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": Path(_key_file).read_text() if _key_file else "",
    "OIDC_ISS_ENDPOINT": os.environ.get("VNEID_SIM_ISSUER", ""),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only, "plain" refused
    "OAUTH2_VALIDATOR_CLASS": "national.vneid_simulator.validator.VneidValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Thông tin định danh"},
    "DEFAULT_SCOPES": ["openid"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
}
