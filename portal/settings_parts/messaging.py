"""Settings of the portal's messages to people: e-mail (SMTP, or files in the demo) and SMS (a
brandname gateway, or a recording backend), and the resend rule of a notification stuck in sending.

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here; each variable is read through :func:`portal.config.config`.
"""

from __future__ import annotations

from portal.config import config
from portal.settings_parts.base import VAR_DIR

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
