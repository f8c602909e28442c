"""Calendar tests: most need no database, they use an unsaved calendar with the default hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.workcalendar.models import WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*parts: int) -> dt.datetime:
    """An instant in Vietnam's time zone: at(2026, 6, 8, 14, 59)."""
    return dt.datetime(*parts, tzinfo=VN)


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """07:00–11:30, 13:30–17:00, Saturday and Sunday off, national holidays only (no DB)."""
    return WorkCalendar(name="Lịch thử")
