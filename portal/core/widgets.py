"""Date inputs with ISO values (issue 14: "one date convention across the portal").

An ``<input type="date">`` only takes ``YYYY-MM-DD`` values (HTML Living Standard, "valid date
string") and shows them in the reader's locale; Django's plain ``DateInput`` renders its initial
value with the active language's ``DATE_INPUT_FORMATS[0]`` (day-first ``01/12/2026`` in
Vietnamese), which the browser throws away, so the tracking book's prefilled dates came up empty.
Dates typed as text stay day-first (``portal/formats``); these widgets are for the browser's pickers.
"""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` whose value is always ``YYYY-MM-DDTHH:MM``."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
