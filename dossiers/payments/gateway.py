"""The payment-gateway protocol, shaped like VNPay's (which the National Public Service Portal's
Payment Platform also follows): the portal redirects the payer to the gateway with the order's
parameters; the gateway calls the portal back server-to-server (IPN) and redirects the browser to
the return URL. Every message carries ``vnp_SecureHash``: HMAC-SHA512, with the shared secret,
over the parameters sorted by name and URL-encoded (``a=1&b=2``), the hash fields excluded.

Amounts travel ×100 (VNPay's convention: no decimal point).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import quote_plus, urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
VERSION = "2.1.0"


def canonical_query(params: Mapping[str, str]) -> str:
    """The string that is signed: sorted ``vnp_*`` params, URL-encoded, hash fields left out."""
    items = sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in HASH_FIELDS and str(v) != ""
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in items)


def sign(params: Mapping[str, str], secret: str | None = None) -> str:
    secret = settings.PAYMENT_HMAC_SECRET if secret is None else secret
    if not secret:
        raise ImproperlyConfigured("PAYMENT_HMAC_SECRET is not set: online payment is disabled.")
    return hmac.new(
        secret.encode(), canonical_query(params).encode("utf-8"), hashlib.sha512
    ).hexdigest()


def verify(params: Mapping[str, str], secret: str | None = None) -> bool:
    """True when ``vnp_SecureHash`` is the HMAC of the other parameters (constant-time compare)."""
    given = str(params.get("vnp_SecureHash", ""))
    if not (settings.PAYMENT_HMAC_SECRET if secret is None else secret):
        return False  # no shared secret: nothing can be verified (online payment is off)
    return (
        bool(given) and given.isascii() and hmac.compare_digest(given.lower(), sign(params, secret))
    )


def gateway_url(site: str | None = None) -> str:
    """The gateway's payment URL; the built-in test gateway (on ``site``, else SITE_URL) when none
    is configured."""
    return settings.PAYMENT_GATEWAY_URL or (site or settings.SITE_URL).rstrip("/") + reverse(
        "payments:test_gateway"
    )


def amount_to_gateway(amount: Decimal) -> str:
    return str(int(Decimal(amount) * 100))


def amount_from_gateway(value: str) -> Decimal | None:
    try:
        raw = int(str(value))
    except (TypeError, ValueError):
        return None
    if raw < 0:
        return None
    return Decimal(raw) / 100


def payment_url(
    *,
    reference: str,
    amount: Decimal,
    order_info: str,
    return_url: str,
    ip: str,
    created: str,
    site: str | None = None,
) -> str:
    """The signed URL the payer's browser is sent to."""
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": settings.PAYMENT_MERCHANT_CODE,
        "vnp_Amount": amount_to_gateway(amount),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": reference,
        "vnp_OrderInfo": order_info,
        "vnp_OrderType": "billpayment",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip,
        "vnp_CreateDate": created,
    }
    params["vnp_SecureHash"] = sign(params)
    base = gateway_url(site)
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"
