"""Settings of the national platforms the portal talks to: the national document axis (through
the province's LGSP), the national payment platform, the national e-ID sign-on (VNeID) and the
national public-service portal (DVCQG).

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here; each variable is read through :func:`portal.config.config`, so ``manage.py
envdoc`` documents it as before. ``DVCQG_MADONVI`` stays in ``portal.settings``: its default is
``PROVINCE_CODE``. The beat tasks these integrations need are in
:data:`national_beat_schedule`, which ``portal.settings`` adds to ``CELERY_BEAT_SCHEDULE``.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from portal.config import config

# --- The national document axis through the province's LGSP (national.document_axis) -------------
DOCUMENT_AXIS_URL = config(
    "DOCUMENT_AXIS_URL",
    "",
    help_text="Base URL of the national document axis web service as the province's LGSP exposes it (sendEdoc, getReceivedEdocList, getEdoc, updateStatus). Empty: the axis is off.",
)
DOCUMENT_AXIS_SYSTEM_ID = config(
    "DOCUMENT_AXIS_SYSTEM_ID",
    "",
    help_text="This system's identifier on the axis (systemid header).",
)
DOCUMENT_AXIS_SECRET = config(
    "DOCUMENT_AXIS_SECRET",
    "",
    help_text="This system's secret on the axis (secret header). No default: empty = the axis is off.",
)
DOCUMENT_AXIS_ROUTES = config(
    "DOCUMENT_AXIS_ROUTES",
    "",
    help_text="Comma-separated organ codes or patterns (*.H29, 000.00.*) reached through the axis instead of directly (in-process or a peer's endpoint). A remote organ also needs an exchange peer row for its trust roots.",
)
DOCUMENT_AXIS_TIMEOUT = config(
    "DOCUMENT_AXIS_TIMEOUT", 20, cast=int, help_text="Seconds to wait for the document axis."
)
DOCUMENT_AXIS_POLL_INTERVAL = config(
    "DOCUMENT_AXIS_POLL_INTERVAL",
    60,
    cast=int,
    help_text="Seconds between two beat polls of the axis mailboxes (documents and statuses received).",
)

# --- The national payment platform (national.payment_platform) ---------------------------------
PAYMENT_PLATFORM_INIT_URL = config(
    "PAYMENT_PLATFORM_INIT_URL",
    "",
    help_text="National payment platform: endpoint of the INIT message (opens a payment, answers the payment page URL). Empty: the platform is off.",
)
PAYMENT_PLATFORM_QUERY_URL = config(
    "PAYMENT_PLATFORM_QUERY_URL",
    "",
    help_text="National payment platform: endpoint of the status look-up (QUERY). Empty: no look-up (callbacks only).",
)
PAYMENT_PLATFORM_BILL_URL = config(
    "PAYMENT_PLATFORM_BILL_URL",
    "",
    help_text="National payment platform: endpoint of the receipt (GET_BILL, answers the platform's receipt PDF). Empty: the platform's receipt is not fetched.",
)
PAYMENT_PLATFORM_PARTNER_CODE = config(
    "PAYMENT_PLATFORM_PARTNER_CODE",
    "",
    help_text="National payment platform: the province's partner code (MaDoiTac).",
)
PAYMENT_PLATFORM_SECRET = config(
    "PAYMENT_PLATFORM_SECRET",
    "",
    help_text="National payment platform: shared secret appended to the INIT, QUERY and GET_BILL messages before SHA-256 (MaXacThuc). No default: empty = off.",
)
PAYMENT_PLATFORM_CALLBACK_SECRET = config(
    "PAYMENT_PLATFORM_CALLBACK_SECRET",
    "",
    help_text="National payment platform: the key that checks the platform's CONFIRM callback and status answers (the public implementations use the same value as PAYMENT_PLATFORM_SECRET). No default: empty = every callback refused.",
)
PAYMENT_PLATFORM_ACCESS_TOKEN = config(
    "PAYMENT_PLATFORM_ACCESS_TOKEN",
    "",
    help_text="National payment platform: bearer token sent with every call (issued by the platform). Empty: none sent.",
)
PAYMENT_PLATFORM_VERSION = config(
    "PAYMENT_PLATFORM_VERSION",
    "1.0.6",
    help_text="National payment platform: message version (PhienBan).",
)
PAYMENT_PLATFORM_TIMEOUT = config(
    "PAYMENT_PLATFORM_TIMEOUT",
    10,
    cast=int,
    help_text="Seconds to wait for the national payment platform (INIT in the payer's request; QUERY and GET_BILL in workers).",
)
PAYMENT_PLATFORM_QUERY_AFTER = config(
    "PAYMENT_PLATFORM_QUERY_AFTER",
    120,
    cast=int,
    help_text="Seconds after which a payment with no callback yet is looked up (QUERY) by beat; doubles per attempt.",
)
PAYMENT_PLATFORM_BENEFICIARY_ACCOUNT = config(
    "PAYMENT_PLATFORM_BENEFICIARY_ACCOUNT",
    "",
    help_text="National payment platform: the beneficiary account of the fees (TKThuHuong).",
)
PAYMENT_PLATFORM_BENEFICIARY_BANK = config(
    "PAYMENT_PLATFORM_BENEFICIARY_BANK",
    "",
    help_text="National payment platform: the beneficiary bank code (MaNHThuHuong).",
)
PAYMENT_PLATFORM_BENEFICIARY_NAME = config(
    "PAYMENT_PLATFORM_BENEFICIARY_NAME",
    "",
    help_text="National payment platform: the beneficiary account name (TenTKThuHuong).",
)

# --- National e-ID login (VNeID through the national portal's sign-on; portal.accounts.oidc) -------
VNEID_ISSUER = config(
    "VNEID_ISSUER",
    "",
    help_text="Issuer of the national sign-on (OpenID Connect), e.g. the national portal's authentication server. Empty: e-ID login is off. The demo points it at national/vneid_simulator.",
)
VNEID_CLIENT_ID = config(
    "VNEID_CLIENT_ID", "", help_text="This portal's client_id at the national sign-on."
)
VNEID_CLIENT_SECRET = config(
    "VNEID_CLIENT_SECRET",
    "",
    help_text="This portal's client secret at the national sign-on. No default: e-ID login stays off without it.",
)
VNEID_REDIRECT_URI = config(
    "VNEID_REDIRECT_URI",
    "",
    help_text="Redirect URI registered at the national sign-on. Empty: SITE of the request + /tai-khoan/vneid/callback/.",
)
VNEID_AUTHORIZATION_ENDPOINT = config(
    "VNEID_AUTHORIZATION_ENDPOINT",
    "",
    help_text="Authorization endpoint. Empty: read from the issuer's discovery document.",
)
VNEID_TOKEN_ENDPOINT = config(
    "VNEID_TOKEN_ENDPOINT", "", help_text="Token endpoint. Empty: from discovery."
)
VNEID_USERINFO_ENDPOINT = config(
    "VNEID_USERINFO_ENDPOINT", "", help_text="Userinfo endpoint. Empty: from discovery."
)
VNEID_JWKS_URI = config(
    "VNEID_JWKS_URI", "", help_text="JWKS of the provider's id_token keys. Empty: from discovery."
)
VNEID_END_SESSION_ENDPOINT = config(
    "VNEID_END_SESSION_ENDPOINT",
    "",
    help_text="End-session endpoint (RP-initiated logout). Empty: from discovery.",
)
VNEID_ALGORITHMS = config(
    "VNEID_ALGORITHMS",
    ["RS256"],
    cast=list,
    help_text="Allowed id_token signature algorithms (never none or HS*).",
)
VNEID_SCOPES = config("VNEID_SCOPES", "openid", help_text="Scopes asked of the national sign-on.")
VNEID_TIMEOUT = config(
    "VNEID_TIMEOUT",
    5,
    cast=int,
    help_text="Seconds to wait for the national sign-on (token, userinfo, JWKS).",
)
VNEID_CLOCK_SKEW = config(
    "VNEID_CLOCK_SKEW",
    60,
    cast=int,
    help_text="Seconds of clock difference tolerated on the id_token's exp and iat.",
)
VNEID_LEVEL4_MIN_LOA = config(
    "VNEID_LEVEL4_MIN_LOA",
    2,
    cast=int,
    help_text="Assurance level (VNeID level) a fully online (level-4) procedure needs when e-ID login is on.",
)
VNEID_ALGORITHMS = [
    a for a in VNEID_ALGORITHMS if a.lower() != "none" and not a.upper().startswith("HS")
]

# --- National public-service portal (DVCQG) adapter (national.dvcqg) ----------------------------
DVCQG_URL = config(
    "DVCQG_URL",
    "",
    help_text="Base URL of the DVCQG integration API (adapter). Empty: the integration is off (nothing is sent or polled; the inbound endpoint answers 503).",
)
DVCQG_AUTH_PATH = config(
    "DVCQG_AUTH_PATH",
    "/login",
    help_text="Path of the DVCQG session login (POST username/password with the dstcode header), appended to DVCQG_URL.",
)
DVCQG_SERVICE_PATH = config(
    "DVCQG_SERVICE_PATH",
    "/service",
    help_text="Path of the DVCQG service calls (POST {session, madonvi, service, ...}), appended to DVCQG_URL.",
)
DVCQG_USERNAME = config("DVCQG_USERNAME", "", help_text="The province's DVCQG integration account.")
DVCQG_PASSWORD = config("DVCQG_PASSWORD", "", help_text="Password of DVCQG_USERNAME. No default.")
DVCQG_DSTCODE = config(
    "DVCQG_DSTCODE", "", help_text="The dstcode header DVCQG issued to this province's system."
)
DVCQG_TIMEOUT = config(
    "DVCQG_TIMEOUT", 15, cast=int, help_text="Seconds to wait for one DVCQG call."
)
DVCQG_PUSH_PUBLIC_KEY = config(
    "DVCQG_PUSH_PUBLIC_KEY",
    "",
    help_text="PEM file of DVCQG's public key (ECDSA P-256 or RSA) that signs the dossiers it pushes to /api/national/dvcqg/inbound/. Empty: pushes are refused (the poll still runs).",
)
DVCQG_PUSH_MAX_SKEW = config(
    "DVCQG_PUSH_MAX_SKEW",
    300,
    cast=int,
    help_text="Largest age (s) of a signed push's timestamp; older or future ones are refused as replays.",
)
DVCQG_PUSH_MAX_BYTES = config(
    "DVCQG_PUSH_MAX_BYTES",
    30 * 1024 * 1024,
    cast=int,
    help_text="Largest pushed dossier (JSON with base64 files) the inbound endpoint reads.",
)
DVCQG_RETRY_BACKOFF = config(
    "DVCQG_RETRY_BACKOFF",
    5,
    cast=int,
    help_text="First retry delay (s) of a change DVCQG did not acknowledge; doubles up to DVCQG_RETRY_BACKOFF_MAX.",
)
DVCQG_RETRY_BACKOFF_MAX = config(
    "DVCQG_RETRY_BACKOFF_MAX",
    300,
    cast=int,
    help_text="Longest delay (s) between two attempts to send a dossier's changes.",
)
DVCQG_MAX_ATTEMPTS = config(
    "DVCQG_MAX_ATTEMPTS",
    30,
    cast=int,
    help_text="Attempts before a dossier's changes are marked failed (shown on the sync page, resendable).",
)
DVCQG_BATCH_DOSSIERS = config(
    "DVCQG_BATCH_DOSSIERS",
    20,
    cast=int,
    help_text="Dossiers sent per DongBoHoSoMC / CapNhatTienDoHoSoMC call when the sync drains a backlog (both take a data list); 1 sends each dossier alone.",
)
DVCQG_SWEEP_INTERVAL = config(
    "DVCQG_SWEEP_INTERVAL",
    15,
    cast=int,
    help_text="Seconds between two beat sweeps that send the changes a crashed or delayed task left unsent.",
)
DVCQG_POLL_INTERVAL = config(
    "DVCQG_POLL_INTERVAL",
    120,
    cast=int,
    help_text="Seconds between two polls of DVCQG for new dossiers (the fallback of the push).",
)
DVCQG_RECONCILE_HOUR = config(
    "DVCQG_RECONCILE_HOUR",
    2,
    cast=int,
    help_text="Hour (province time) of the nightly reconciliation against TraCuuHoSo.",
)
DVCQG_RESULT_LINK_DAYS = config(
    "DVCQG_RESULT_LINK_DAYS",
    30,
    cast=int,
    help_text="Days the signed result-file link sent to DVCQG (DuongDanTepTinKetQua) stays valid.",
)

#: The beat tasks of the national integrations (added to ``CELERY_BEAT_SCHEDULE``).
national_beat_schedule: dict[str, dict[str, Any]] = {
    "document-axis-poll": {
        "task": "national.document_axis.tasks.poll",
        "schedule": float(DOCUMENT_AXIS_POLL_INTERVAL),
    },
    "dvcqg-sweep": {
        "task": "national.dvcqg.tasks.sweep",
        "schedule": float(DVCQG_SWEEP_INTERVAL),
    },
    "dvcqg-poll": {
        "task": "national.dvcqg.tasks.poll_inbound",
        "schedule": float(DVCQG_POLL_INTERVAL),
    },
    "dvcqg-reconcile": {
        "task": "national.dvcqg.tasks.reconcile",
        "schedule": crontab(hour=DVCQG_RECONCILE_HOUR, minute=15),
    },
}
