"""What every section of the settings reads: the checkout and its writable folder, the mode
(debug, demo or production), the signing key, the host names and the province served.

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here, as the other sections do; each variable is read through
:func:`portal.config.config`, so ``manage.py envdoc`` documents it as before.
"""

from __future__ import annotations

from pathlib import Path

from portal.config import config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
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
