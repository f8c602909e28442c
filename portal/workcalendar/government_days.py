"""The Government's yearly day swaps and the days the national calendar gets wrong, as data.

``holidays.VN`` (docs/tech-facts.md "Calendar") gives the Labour Code's days off and some of the swaps.
Each year the Government (through the Ministry of Home Affairs, formerly the Ministry of Labour)
announces how civil servants take them: which weekday is swapped with which Saturday. Those notices
are **data**, not code: they ship here as :class:`GovernmentDay` rows, loaded as
:class:`~portal.workcalendar.models.DeclaredDay` rows of the portal's calendar by a data migration
and by the demo (:func:`load`), where an administrator can edit or remove them. A row an
administrator changed is never overwritten.

The source of each row is kept in the row (``DeclaredDay.source``); a row whose source is not yet
published (2027's lunar holidays before the Government's notice) is marked ``is_estimate``.
See ``docs/regulations.md`` for what could and could not be checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .constants import DeclaredDayKind

D = dt.date
OFF = DeclaredDayKind.DAY_OFF
WORK = DeclaredDayKind.MAKE_UP_WORKING_DAY
WORKING = DeclaredDayKind.WORKING_DAY

LABOUR_CODE_112 = "Bộ luật Lao động 2019, Điều 112"
NOV24_NOT_IN_LAW = (
    "Bộ luật Lao động 2019, Điều 112 khoản 1 (11 ngày nghỉ lễ, tết) không có ngày 24/11; Nghị quyết "
    "80-NQ/TW chọn 24/11 là Ngày Văn hóa Việt Nam với chủ trương nghỉ hưởng lương và Nghị quyết "
    "30/NQ-CP (2026) giao sửa khoản 1 Điều 112: chưa thấy luật sửa đổi có hiệu lực. Xoá dòng này "
    "khi luật sửa đổi có hiệu lực."
)


@dataclass(frozen=True)
class GovernmentDay:
    date: dt.date
    kind: str
    reason: str
    source: str
    is_estimate: bool = False


DAYS: tuple[GovernmentDay, ...] = (
    # 2025
    GovernmentDay(
        D(2025, 4, 26),
        WORK,
        "Làm bù cho ngày nghỉ thứ Sáu 02/5/2025 (dịp 30/4 - 1/5)",
        "Thông báo của Bộ Nội vụ về hoán đổi ngày làm việc dịp 30/4 - 1/5/2025",
    ),
    GovernmentDay(
        D(2025, 5, 2),
        OFF,
        "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)",
        "Thông báo của Bộ Nội vụ về hoán đổi ngày làm việc dịp 30/4 - 1/5/2025",
    ),
    # 2026
    GovernmentDay(
        D(2026, 1, 2),
        OFF,
        "Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/01/2026)",
        "Chính phủ đồng ý ngày 25/12/2025; Thông báo của Bộ Nội vụ ngày 25/12/2025",
    ),
    GovernmentDay(
        D(2026, 1, 10),
        WORK,
        "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026",
        "Chính phủ đồng ý ngày 25/12/2025; Thông báo của Bộ Nội vụ ngày 25/12/2025",
    ),
    *(
        GovernmentDay(
            D(2026, 2, day),
            OFF,
            "Tết Nguyên đán Bính Ngọ",
            f"{LABOUR_CODE_112} khoản 1 điểm b; Thông báo của Bộ Nội vụ về lịch nghỉ Tết Nguyên đán 2026 (16/02 - 20/02/2026)",
        )
        for day in (16, 17, 18, 19, 20)
    ),
    GovernmentDay(
        D(2026, 4, 27),
        OFF,
        "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch trùng Chủ nhật 26/4/2026)",
        f"{LABOUR_CODE_112} khoản 3 (nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần)",
    ),
    GovernmentDay(
        D(2026, 8, 22),
        WORK,
        "Làm bù cho ngày nghỉ thứ Hai 31/8/2026 (dịp Quốc khánh)",
        "Thông báo của Bộ Nội vụ về lịch nghỉ Quốc khánh 2/9/2026",
    ),
    GovernmentDay(
        D(2026, 8, 31),
        OFF,
        "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8/2026)",
        "Thông báo của Bộ Nội vụ về lịch nghỉ Quốc khánh 2/9/2026",
    ),
    GovernmentDay(
        D(2026, 11, 24),
        WORKING,
        "Ngày Văn hóa Việt Nam: ngày làm việc theo luật hiện hành",
        NOV24_NOT_IN_LAW,
    ),
    # 2027: the lunar holidays are computed, not notified yet
    *(
        GovernmentDay(
            D(2027, 2, day),
            OFF,
            "Tết Nguyên đán Đinh Mùi (dự kiến)",
            f"{LABOUR_CODE_112} khoản 1 điểm b; ước tính theo âm lịch (mùng 1 Tết = 06/02/2027), chờ thông báo của Chính phủ",
            is_estimate=True,
        )
        for day in (4, 5, 8, 9, 10)
    ),
    GovernmentDay(
        D(2027, 4, 16),
        OFF,
        "Giỗ Tổ Hùng Vương 10/3 âm lịch (dự kiến)",
        f"{LABOUR_CODE_112} khoản 1 điểm c; ước tính theo âm lịch, chờ thông báo của Chính phủ",
        is_estimate=True,
    ),
    GovernmentDay(
        D(2027, 11, 24),
        WORKING,
        "Ngày Văn hóa Việt Nam: ngày làm việc theo luật hiện hành",
        NOV24_NOT_IN_LAW,
    ),
)


def load(
    calendar: Any, *, days: tuple[GovernmentDay, ...] = DAYS, declared_day_model: Any = None
) -> int:
    """Add the rows of ``days`` that ``calendar`` does not have yet (by date); returns how many.

    A date the administrator already declared (or edited) is left alone. Works with the
    historical model inside a data migration (``declared_day_model``). Bumps the calendar's
    revision so no process keeps a cached year."""
    import uuid

    if declared_day_model is None:
        from .models import DeclaredDay as declared_day_model
    have = set(
        declared_day_model.objects.filter(calendar_id=calendar.pk).values_list("date", flat=True)
    )
    new = [
        declared_day_model(
            calendar_id=calendar.pk,
            date=d.date,
            kind=d.kind,
            reason=d.reason[:255],
            source=d.source[:500],
            is_estimate=d.is_estimate,
        )
        for d in days
        if d.date not in have
    ]
    declared_day_model.objects.bulk_create(new)
    if new:
        type(calendar).objects.filter(pk=calendar.pk).update(revision=uuid.uuid4().hex)
    return len(new)
