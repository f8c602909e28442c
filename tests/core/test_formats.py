"""Typed dates are read day first, as Vietnamese forms write them, in both languages."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.utils import translation


class _DateForm(forms.Form):
    day = forms.DateField()
    at = forms.DateTimeField()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_typed_dates_are_day_first(language: str) -> None:
    with translation.override(language):
        form = _DateForm(data={"day": "05/06/2026", "at": "05/06/2026 14:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 6, 5)
    assert form.cleaned_data["at"] == datetime(
        2026, 6, 5, 14, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")
    )


def test_iso_dates_from_date_pickers_still_parse() -> None:
    with translation.override("vi"):
        form = _DateForm(data={"day": "2026-06-05", "at": "2026-06-05T14:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 6, 5)


def test_a_month_first_date_that_cannot_be_day_first_is_refused() -> None:
    with translation.override("vi"):
        form = _DateForm(data={"day": "12/31/2026", "at": "2026-06-05 10:00"})
        assert not form.is_valid()
