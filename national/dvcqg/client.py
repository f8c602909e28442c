"""HTTP client of the DVCQG integration API (shapes in docs/national/dvcqg.md).

The guide ("Tài liệu hướng dẫn kết nối, tích hợp, chia sẻ dữ liệu với Cổng DVCQG") as the public
implementations use it (OpenCPS ``DVCQGIntegrationActionImpl.getAccessToken`` / ``syncData``):

* log in: ``POST {DVCQG_URL}{DVCQG_AUTH_PATH}`` with header ``dstcode`` and body
  ``{"username", "password"}`` → ``{"error_code": "00", "session": "..."}``;
* every call: ``POST {DVCQG_URL}{DVCQG_SERVICE_PATH}`` with header ``dstcode`` and body
  ``{"session", "madonvi", "service", ...}`` → ``{"error_code": "00", ...}``.

Anything but ``error_code "00"`` (OpenCPS reads it as the integer 0, Thanh Hóa as the string "0")
is an error. An expired session is answered with a session error code: the client logs in again
once and repeats the call. Every failure is a :class:`DvcqgError`; the sync decides to retry.
Stdlib ``http.client`` on a persistent (keep-alive) connection per process and thread: a sync
of thousands of dossiers makes two calls per dossier batch, and a new TCP (and, in production,
TLS) connection per call was a large share of each batch (bench/dvcqg_sync.py). A connection idle
longer than ``IDLE_RECONNECT`` seconds is replaced before use (servers close idle ones); any
transport error closes it, and the call fails as a :class:`DvcqgError` — never retried here, so a
lost answer is resent by the sync (idempotent), not twice in one call. Timeouts: ``DVCQG_TIMEOUT``.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings

#: Dates travel as ``yyyyMMddHHmmss`` in Vietnam's time (OpenCPS ``convertDate2String``,
#: Thanh Hóa ``ToString("yyyyMMddHHmmss")``).
DATE_FORMAT = "%Y%m%d%H%M%S"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUCCESS = {"00", "0"}
#: Codes that mean "log in again" (the simulator's; the guide's own list is not public, see docs).
SESSION_ERRORS = {"02", "401", "-1"}


def format_date(value: datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime(DATE_FORMAT) if value else ""


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=VN_TZ)


class DvcqgError(Exception):
    """A call that DVCQG did not acknowledge (unreachable, HTTP error, error_code not "00")."""

    def __init__(self, message: str, *, code: str = "", transient: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient


class DvcqgDisabled(DvcqgError):
    """``DVCQG_URL`` is empty: the integration is off."""


@dataclass(frozen=True)
class DvcqgConfig:
    url: str
    auth_path: str
    service_path: str
    username: str
    password: str
    dstcode: str
    madonvi: str
    timeout: float

    @classmethod
    def from_settings(cls) -> DvcqgConfig:
        return cls(
            url=settings.DVCQG_URL.rstrip("/"),
            auth_path=settings.DVCQG_AUTH_PATH,
            service_path=settings.DVCQG_SERVICE_PATH,
            username=settings.DVCQG_USERNAME,
            password=settings.DVCQG_PASSWORD,
            dstcode=settings.DVCQG_DSTCODE,
            madonvi=settings.DVCQG_MADONVI,
            timeout=float(settings.DVCQG_TIMEOUT),
        )


def integration_enabled() -> bool:
    return bool(settings.DVCQG_URL)


_sessions: dict[tuple[str, str], str] = {}
_session_lock = threading.Lock()
#: Seconds after which an idle keep-alive connection is not reused (opened again instead).
IDLE_RECONNECT = 4.0
_local = threading.local()


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """This thread's keep-alive connection to ``url``'s host, and the URL's path prefix."""
    parts = urlsplit(url)
    key = (parts.scheme, parts.netloc, timeout)
    pool: dict = getattr(_local, "connections", None) or {}
    _local.connections = pool
    entry = pool.get(key)
    if entry is not None and time.monotonic() - entry[1] > IDLE_RECONNECT:
        entry[0].close()
        entry = None
    if entry is None:
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        entry = [cls(parts.netloc, timeout=timeout), time.monotonic()]
        pool[key] = entry
    entry[1] = time.monotonic()
    return entry[0], parts.path.rstrip("/")


def _drop_connection(url: str, timeout: float) -> None:
    parts = urlsplit(url)
    entry = (getattr(_local, "connections", None) or {}).pop(
        (parts.scheme, parts.netloc, timeout), None
    )
    if entry is not None:
        entry[0].close()


class DvcqgClient:
    def __init__(self, config: DvcqgConfig | None = None) -> None:
        self.config = config or DvcqgConfig.from_settings()
        if not self.config.url:
            raise DvcqgDisabled("DVCQG integration is off (DVCQG_URL is empty)", transient=False)

    # -- transport ---------------------------------------------------------------------------
    def _post(self, path: str, body: dict) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Charset": "utf-8",
            "dstcode": self.config.dstcode,
        }
        conn, prefix = _connection(self.config.url, self.config.timeout)
        try:
            conn.request("POST", prefix + path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except (http.client.HTTPException, TimeoutError, ConnectionError, OSError) as exc:
            _drop_connection(
                self.config.url, self.config.timeout
            )  # half-read or dead: never reused
            raise DvcqgError(f"unreachable: {exc!r}", code="unreachable") from None
        if response.will_close:
            _drop_connection(self.config.url, self.config.timeout)
        if response.status >= 400:
            code = response.status
            raise DvcqgError(
                f"HTTP {code}", code=f"http_{code}", transient=code >= 500 or code == 429
            )
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise DvcqgError("answer is not JSON", code="bad_answer") from None
        if not isinstance(answer, dict):
            raise DvcqgError("answer is not a JSON object", code="bad_answer")
        return answer

    # -- session -----------------------------------------------------------------------------
    def _key(self) -> tuple[str, str]:
        return (self.config.url, self.config.username)

    def login(self) -> str:
        answer = self._post(
            self.config.auth_path,
            {"username": self.config.username, "password": self.config.password},
        )
        code = str(answer.get("error_code", ""))
        if code not in SUCCESS or not answer.get("session"):
            raise DvcqgError(
                f"login refused: {code} {answer.get('message', '')}".strip(), code=code
            )
        with _session_lock:
            _sessions[self._key()] = str(answer["session"])
        return str(answer["session"])

    def session(self) -> str:
        with _session_lock:
            current = _sessions.get(self._key())
        return current or self.login()

    def forget_session(self) -> None:
        with _session_lock:
            _sessions.pop(self._key(), None)

    # -- services ----------------------------------------------------------------------------
    def call(self, service: str, **fields: Any) -> dict:
        """Call ``service``; returns the answer (error_code "00") or raises :class:`DvcqgError`."""
        for attempt in (1, 2):
            body = {
                "session": self.session(),
                "madonvi": self.config.madonvi,
                "service": service,
                **fields,
            }
            answer = self._post(self.config.service_path, body)
            code = str(answer.get("error_code", ""))
            if code in SUCCESS:
                return answer
            if code in SESSION_ERRORS and attempt == 1:
                self.forget_session()
                continue
            raise DvcqgError(
                f"{service}: error_code {code} {answer.get('message', '')}".strip(), code=code
            )
        raise DvcqgError(
            f"{service}: session refused twice", code="session"
        )  # pragma: no cover - loop exits above
