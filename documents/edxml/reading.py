"""Reading the values of an edXML envelope: the namespaced paths, text (NFC), dates, times,
numbers and organs, and the ``malformed`` refusal they raise."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from lxml import etree

from .model import (
    NS_2016,
    EnvelopeRejected,
    Organ,
)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QNAME = "{%s}%%s" % NS_2016  # noqa: UP031
WHITESPACE = b" \t\r\n"


def malformed_error(detail: str, detail_vi: str | None = None) -> EnvelopeRejected:
    return EnvelopeRejected("malformed", detail, detail_vi=detail_vi)


# --- value readers ------------------------------------------------------------------------------


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def find_path(parent: etree._Element, path: str) -> etree._Element | None:
    return parent.find("/".join(QNAME % part for part in path.split("/")))


def read_text(parent: etree._Element, path: str) -> str:
    node = find_path(parent, path)
    return "" if node is None else nfc(node.text)


DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}/\d{2}/\d{2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%d/%m/%Y"),
)


def read_date(value: str, element: str) -> dt.date:
    for pattern, fmt in DATE_FORMATS:
        if pattern.match(value):
            try:
                return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007  (a date, no time zone)
            except ValueError:
                break
    raise malformed_error(
        f"bad date in {element}: {value!r}", f"ngày không hợp lệ ở {element}: {value!r}"
    )


DATETIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
)


def read_datetime(value: str, element: str) -> dt.datetime:
    """ISO 8601, or "yyyy/MM/dd HH:mm:ss" / "dd/MM/yyyy HH:mm:ss" as document-axis software
    writes them (Vietnam time when no offset is given)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        for fmt in DATETIME_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007  (the zone is set below)
                break
            except ValueError:
                continue
        else:
            raise malformed_error(
                f"bad time in {element}: {value!r}",
                f"thời điểm không hợp lệ ở {element}: {value!r}",
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def read_int(value: str, element: str, default: int = 0) -> int:
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise malformed_error(
            f"{element} must be a whole number, not {value!r}",
            f"{element} phải là số nguyên, không phải {value!r}",
        ) from exc


def read_organ(node: etree._Element) -> Organ:
    return Organ(
        organ_id=read_text(node, "OrganId"),
        name=read_text(node, "OrganName"),
        address=read_text(node, "OrganAdd"),
        email=read_text(node, "Email"),
        phone=read_text(node, "Telephone"),
        in_charge=read_text(node, "OrganizationInCharge") or read_text(node, "OrganInCharge"),
        fax=read_text(node, "Fax"),
        website=read_text(node, "Website"),
    )


def require_path(parent: etree._Element, *paths: str, where: str = "") -> None:
    """Each of ``paths`` present exactly once and not empty (what the XSD used to check, order-free)."""
    for path in paths:
        head, _, last = path.rpartition("/")
        holder = find_path(parent, head) if head else parent
        found = [] if holder is None else list(holder.iterchildren(QNAME % last))
        label = f"{where}/{path}" if where else path
        if not found:
            raise malformed_error(f"missing element {label}", f"thiếu phần tử {label}")
        if len(found) > 1:
            raise malformed_error(
                f"element {label} appears more than once", f"phần tử {label} xuất hiện nhiều lần"
            )
        if not len(found[0]) and not nfc(found[0].text):
            raise malformed_error(f"element {label} is empty", f"phần tử {label} để trống")
