"""What an applicant pays: the procedure's fee lines as cases, copies and fixed lines (issue 14).

A procedure's catalogue entry lists its fees and charges (phí, lệ phí: Law on Fees and Charges
97/2015/QH13, art. 3; the amounts are set by the Ministry of Finance's circulars, e.g. Circular
244/2016/TT-BTC for the judicial record certificate: 200.000 đ per request, 100.000 đ for students,
people with meritorious services and martyrs' relatives, 5.000 đ per certificate from the third
one on). The lines are not added up: the applicant is in ONE case (standard, reduced, exempt), may
ask for extra copies, and some lines are charged in every case. Under Decree 118/2025/NĐ-CP the
applicant pays the fees due for his dossier with it, online through the national payment platform
(the article on fees was not found in the texts searched: docs/regulations.md); the total is
computed here, on the server, from the version's snapshot and the applicant's choice, never taken
from the browser.

Snapshots published before fee kinds existed carry no ``kind``: :func:`guess_kind` reads it from
the line's wording, as the data migration ``procedures.0006`` did for the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from portal.core.text import fold

from .constants import FeeKind

#: At most this many copies in one request (a typo of 1000 copies is refused, not charged).
MAX_COPIES = 50


class FeeChoiceError(ValueError):
    """The applicant's fee choice does not fit the procedure (message in the user's language)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def guess_kind(name: str, applies_to: str, *, first: bool) -> tuple[str, int]:
    """The kind and included copies of a line from its wording (catalogue data before kinds).

    "… từ phiếu thứ 3 trở đi" / "mỗi phiếu tăng thêm" / "mỗi bản sao": per copy (2 included when
    it counts from the third); the first other line, and lines for a reduced or exempt group
    ("giảm", "miễn"), are the cases; any other line is charged in every case."""
    text = fold(f"{name} {applies_to}")
    if "thu 3" in text or "thu ba" in text:
        return FeeKind.PER_COPY, 2
    if "tang them" in text or "moi ban sao" in text or "them 1 ban" in text:
        return FeeKind.PER_COPY, 0
    if first or "giam" in text or "mien" in text:
        return FeeKind.CASE, 0
    return FeeKind.FIXED, 0


def fee_lines(snapshot: dict) -> list[dict[str, Any]]:
    """The version's fee lines with their index, kind and included copies."""
    out: list[dict[str, Any]] = []
    for i, f in enumerate(snapshot.get("fees") or []):
        kind, free = f.get("kind"), f.get("free_copies")
        if kind not in FeeKind.values:
            first = not any(o["kind"] != FeeKind.PER_COPY for o in out)
            kind, free = guess_kind(
                str(f.get("name") or ""), str(f.get("applies_to") or ""), first=first
            )
        try:
            amount = Decimal(str(f.get("amount") or 0))
        except InvalidOperation:
            amount = Decimal(0)
        out.append(
            {
                "index": i,
                "name": str(f.get("name") or ""),
                "applies_to": str(f.get("applies_to") or ""),
                "amount": amount,
                "kind": kind,
                "free_copies": int(free or 0),
            }
        )
    return out


def cases(snapshot: dict) -> list[dict[str, Any]]:
    return [f for f in fee_lines(snapshot) if f["kind"] == FeeKind.CASE]


def has_copies(snapshot: dict) -> bool:
    return any(f["kind"] == FeeKind.PER_COPY for f in fee_lines(snapshot))


@dataclass
class FeeQuote:
    """The lines charged for one choice and their total (stored on the dossier)."""

    case: int | None
    copies: int
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((Decimal(line["total"]) for line in self.lines), Decimal(0))

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "copies": self.copies,
            "lines": self.lines,
            "total": str(self.total),
        }


def _int(value: Any, what: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        raise FeeChoiceError(_("Invalid %(what)s.") % {"what": what})
    return int(number)


def fee_quote(snapshot: dict, *, case: Any = None, copies: Any = None) -> FeeQuote:
    """The charged lines for ``case`` (the index of a CASE line; None: the first, the standard
    case) and ``copies`` (None: 1). Raises :class:`FeeChoiceError` for a case that is not one of
    the procedure's or a number of copies out of 1..MAX_COPIES."""
    lines = fee_lines(snapshot)
    case_lines = [f for f in lines if f["kind"] == FeeKind.CASE]
    chosen = _int(case, _("fee case"))
    if chosen is None:
        chosen = case_lines[0]["index"] if case_lines else None
    elif not any(f["index"] == chosen for f in case_lines):
        raise FeeChoiceError(_("Choose one of the procedure's fee cases."))
    n = _int(copies, _("number of copies"))
    n = 1 if n is None else n
    if not 1 <= n <= MAX_COPIES:
        raise FeeChoiceError(
            _("The number of copies must be between 1 and %(max)d.") % {"max": MAX_COPIES}
        )
    quote = FeeQuote(case=chosen, copies=n)
    for f in lines:
        if f["kind"] == FeeKind.CASE and f["index"] != chosen:
            continue
        quantity = max(n - f["free_copies"], 0) if f["kind"] == FeeKind.PER_COPY else 1
        if quantity == 0:
            continue
        quote.lines.append(
            {
                "index": f["index"],
                "name": f["name"],
                "kind": f["kind"],
                "amount": str(f["amount"]),
                "quantity": quantity,
                "total": str(f["amount"] * quantity),
            }
        )
    return quote
