"""Settings of who may come in and how: accounts and the login lockout, sessions, the HTTPS
transport rules (on by default in production), the Content-Security-Policy and the rate limits.

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here; each variable is read through :func:`portal.config.config`, so ``manage.py
envdoc`` documents it as before.
"""

from __future__ import annotations

from portal.config import config
from portal.settings_parts.base import DEBUG, PORTAL_DEMO

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
