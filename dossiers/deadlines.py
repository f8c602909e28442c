"""Time-limit rules of the one-stop mechanism that are not state transitions: when the apology and
extension request (form 04) is due, that an extension is recorded once, and what a supplement
request does to the time limit.

Sources (the articles are quoted in ``docs/regulations.md``, with what could not be checked):

* Form 04 of Circular 03/2025/TT-VPCP Phụ lục I is "Văn bản xin lỗi và đề nghị gia hạn thời gian
  giải quyết": the agency that foresees it will be late sends it **before** the time limit runs
  out, at the latest the working day before the due date, and the new date is set once
  (Decree 118/2025/NĐ-CP on late dossiers, carrying over Decree 61/2018/NĐ-CP Article 19(1)(c):
  "chậm nhất 01 ngày trước ngày hết hạn ... Việc hẹn lại ngày trả kết quả được thực hiện không
  quá một lần").
* Supplements: a request for supplements tells the applicant everything at once ("hướng dẫn một
  lần, đầy đủ"); a second request is an exception that needs a reason and is flagged, and a dossier
  with more than one request counts as late in Decision 766/QĐ-TTg's progress indicator.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workcalendar import services as workcalendar

from .exceptions import DossierError


def _calendar(dossier: Any) -> Any:
    return workcalendar.get_calendar(dossier.receiving_agency)


def apology_latest_day(dossier: Any) -> Any:
    """The working day by which form 04 must be sent: the working day before the due date."""
    if dossier.due_at is None:
        return None
    due_day = timezone.localdate(dossier.due_at)
    return workcalendar.previous_working_day(due_day, calendar=_calendar(dossier))


def apology_draft_due(dossier: Any, now: datetime | None = None) -> bool:
    """The deadline scan drafts form 04 for an open dossier from the start of the working day
    before its due date (the latest day the rule allows), unless one exists already."""
    latest = apology_latest_day(dossier)
    if latest is None:
        return False
    now = now or timezone.now()
    return timezone.localdate(now) >= latest


def draft_horizon(now: datetime) -> datetime:
    """The latest due time whose form 04 is due to be drafted at ``now``: dossiers due by the end
    of the next working day (today being, at the latest, the working day before their due date)."""
    calendar = workcalendar.get_calendar(None)
    tomorrow = workcalendar.next_working_day(timezone.localdate(now), calendar=calendar)
    return datetime.combine(tomorrow, time.max, tzinfo=timezone.get_current_timezone())


def may_apologise(dossier: Any, now: datetime | None = None) -> bool:
    """Guard of the apology transition: an open dossier with a due date and no extension yet.

    Lateness is foreseen by the official, so the apology may be sent at any time before the due
    date (and, if the agency missed that, after it: the apology is still owed)."""
    return dossier.due_at is not None and dossier.finished_at is None and dossier.rescheduled_due_at is None


def check_extension(dossier: Any, new_due_at: datetime | None, now: datetime | None = None) -> None:
    """Refuse a second extension, or a new date that is not after the legal due date.

    Decree 61/2018 Article 19(1)(c), carried into Decree 118/2025: the new appointment is set
    "không quá một lần" (once)."""
    now = now or timezone.now()
    if dossier.rescheduled_due_at is not None or dossier.apologies.filter(sent_at__isnull=False).exists():
        raise DossierError(_("The time limit may be extended only once."))
    if new_due_at is None or timezone.is_naive(new_due_at) or new_due_at <= now:
        raise DossierError(_("The new appointment date must be in the future."))
    if dossier.due_at is not None and new_due_at <= dossier.due_at:
        raise DossierError(_("The new appointment date must come after the original one."))
