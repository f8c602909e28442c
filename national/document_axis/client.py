"""The axis's web service, as the Government Office's SDK (VPCP XRoad SDK, "KnobstickService")
exposes it to the provincial systems: ``sendEdoc``, ``getReceivedEdocList``, ``getEdoc``,
``updateStatus`` (sources: ``docs/national/document-axis.md``). Every call carries the
system's ``systemid`` and ``secret`` headers; answers are JSON ``{"status": "OK"|..., "ErrorDesc"}``
except ``getEdoc``, which answers the edXML itself."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

EDOC, STATUS = "edoc", "status"


class AxisUnavailable(Exception):
    """Timeout, refused connection, HTTP 5xx, unreadable answer: retry later."""


class AxisRefused(Exception):
    """The axis answered but refused (status other than OK, HTTP 4xx)."""


def enabled() -> bool:
    return bool(
        settings.DOCUMENT_AXIS_URL
        and settings.DOCUMENT_AXIS_SYSTEM_ID
        and settings.DOCUMENT_AXIS_SECRET
    )


def _call(
    operation: str, *, body: bytes, headers: dict[str, str] | None = None, raw: bool = False
) -> Any:
    url = settings.DOCUMENT_AXIS_URL.rstrip("/") + "/" + operation
    all_headers = {
        "systemid": settings.DOCUMENT_AXIS_SYSTEM_ID,
        "secret": settings.DOCUMENT_AXIS_SECRET,
        "Content-Type": "application/json; charset=utf-8",
        **(headers or {}),
    }
    request = urllib.request.Request(url, data=body, method="POST", headers=all_headers)
    try:
        with urllib.request.urlopen(
            request, timeout=int(settings.DOCUMENT_AXIS_TIMEOUT)
        ) as response:  # noqa: S310 - configured URL
            data = response.read()
            ctype = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code in (408, 429):
            raise AxisUnavailable(f"{operation}: HTTP {exc.code}") from None
        raise AxisRefused(f"{operation}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise AxisUnavailable(f"{operation}: {type(exc).__name__}: {exc}") from None
    if raw and ctype != "application/json":
        return data
    try:
        answer = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AxisUnavailable(f"{operation}: unreadable answer") from None
    if not isinstance(answer, dict) or str(answer.get("status", "")).upper() != "OK":
        raise AxisRefused(
            f"{operation}: {answer.get('ErrorDesc') if isinstance(answer, dict) else answer}"
        )
    return answer


def send_edoc(*, from_organ: str, to_organ: str, message_type: str, data: bytes) -> str:
    """Hand one envelope to the axis; its DocId on the axis."""
    answer = _call(
        "sendEdoc",
        body=data,
        headers={
            "Content-Type": "application/xml; charset=utf-8",
            "from": from_organ,
            "to": to_organ,
            "servicetype": "eDoc",
            "messagetype": message_type,
        },
    )
    return str(answer.get("DocId") or answer.get("docId") or "")


def received_list(*, message_type: str) -> list[dict[str, Any]]:
    """The messages waiting in this system's mailboxes: ``[{"DocId", "from", "messagetype", "created_time"}]``."""
    answer = _call(
        "getReceivedEdocList",
        body=json.dumps({"servicetype": "eDoc", "messagetype": message_type}).encode(),
    )
    items = answer.get("data") or []
    return [i for i in items if isinstance(i, dict) and (i.get("DocId") or i.get("docId"))]


def get_edoc(*, doc_id: str) -> bytes:
    data = _call("getEdoc", body=json.dumps({"docId": doc_id}).encode(), raw=True)
    if isinstance(data, dict):
        raise AxisRefused("getEdoc: no envelope in the answer")
    return data


def update_status(*, doc_id: str, status: str, description: str = "") -> None:
    """Acknowledge a message taken from the mailbox: ``done`` (processed), ``fail`` (refused)."""
    _call(
        "updateStatus",
        body=json.dumps(
            {"docId": doc_id, "status": status, "description": description[:500]}
        ).encode(),
    )
