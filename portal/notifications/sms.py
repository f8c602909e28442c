"""SMS gateways. Production uses a brandname SMS API over HTTP; the default only records the message.

Vietnamese brandname gateways (carrier-registered sender names) take a JSON POST with an API key, the
phone number, the text and the brandname, and bill per 160 GSM-7 characters: messages are sent without
diacritics so one SMS is one segment.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or did not answer; the notification is retried later."""


class SmsBackend(Protocol):
    def send(self, *, phone: str, message: str) -> None: ...


def unaccent(text: str) -> str:
    """Vietnamese without diacritics (GSM-7 safe): "Hồ sơ đã tiếp nhận" → "Ho so da tiep nhan"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def normalise_phone(phone: str) -> str:
    """0912 345 678 / +84912345678 → 84912345678 (the international form gateways expect)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits


class DatabaseSmsBackend:
    """Default (demo, tests): store the SMS in ``SmsMessage`` and log it; nothing leaves the machine."""

    def send(self, *, phone: str, message: str) -> None:
        from portal.notifications.models import SmsMessage

        SmsMessage.objects.create(
            phone=normalise_phone(phone), message=message, brandname=settings.SMS_BRANDNAME
        )
        logger.info("sms.recorded", extra={"phone": phone})


class HttpBrandnameSmsBackend:
    """JSON POST ``{"ApiKey", "Phone", "Content", "Brandname"}`` to ``SMS_GATEWAY_URL``.

    The gateway answers ``{"CodeResult": "100", ...}`` on success (the convention of the common
    Vietnamese brandname APIs); anything else is an error kept on the notification.
    """

    timeout = 10

    def send(self, *, phone: str, message: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise SmsError("SMS_GATEWAY_URL is not set")
        payload = {
            "ApiKey": settings.SMS_API_KEY,
            "Phone": normalise_phone(phone),
            "Content": message,
            "Brandname": settings.SMS_BRANDNAME,
            "SmsType": "2",
        }
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc
        if str(answer.get("CodeResult")) != "100":
            raise SmsError(f"gateway refused: {answer}")


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, message: str) -> None:
    """Send one SMS, without diacritics, through the configured backend."""
    get_backend().send(phone=phone, message=unaccent(message))
