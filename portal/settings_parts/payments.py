"""Settings of online payment (payments app): the VNPay-shaped gateway or the built-in test
gateway, the payment window, and which gateway payments go to (the national platform's own
settings are in :mod:`portal.settings_parts.national`).

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here; each variable is read through :func:`portal.config.config`.
"""

from __future__ import annotations

from portal.config import config
from portal.settings_parts.base import PORTAL_DEMO

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
