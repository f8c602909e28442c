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
    return (
        dossier.due_at is not None
        and dossier.finished_at is None
        and dossier.rescheduled_due_at is None
    )


def check_extension(dossier: Any, new_due_at: datetime | None, now: datetime | None = None) -> None:
    """Refuse a second extension, or a new date that is not after the legal due date.

    Decree 61/2018 Article 19(1)(c), carried into Decree 118/2025: the new appointment is set
    "không quá một lần" (once)."""
    now = now or timezone.now()
    if (
        dossier.rescheduled_due_at is not None
        or dossier.apologies.filter(sent_at__isnull=False).exists()
    ):
        raise DossierError(_("The time limit may be extended only once."))
    if new_due_at is None or timezone.is_naive(new_due_at) or new_due_at <= now:
        raise DossierError(_("The new appointment date must be in the future."))
    if dossier.due_at is not None and new_due_at <= dossier.due_at:
        raise DossierError(_("The new appointment date must come after the original one."))


#: What a supplement request does to the time limit. Decree 118/2025/NĐ-CP's text on this point
#: could not be found (docs/regulations.md): the portal pauses the clock while the applicant
#: supplements and resumes it with the working time waited added to the due date
#: (``workcalendar.extend_for_pause``) — at intake the clock has not started, so counting starts
#: from the complete dossier either way. Decision 766's progress indicator subtracts the waiting
#: time whichever rule applies (``dashboards.index766``).
SUPPLEMENT_RULE = "pause"


def check_repeat_supplement(dossier: Any, repeat_reason: str) -> bool:
    """The applicant is guided once and fully ("hướng dẫn một lần, đầy đủ", Decree 118/2025 on
    receiving dossiers; Decree 61/2018 Art. 9): a further request for the same dossier needs its
    reason, and is flagged (Decision 766 counts a dossier with more than one request as late).
    Returns whether this request is flagged."""
    if dossier.supplement_requests.exists():
        if not " ".join((repeat_reason or "").split()):
            raise DossierError(
                _(
                    "This dossier was already asked for supplements once: say why a further request is needed."
                )
            )
        return True
    return False


def counting_basis(dossier: Any, now: datetime) -> tuple[datetime, bool]:
    """The moment the time limit is counted from, and whether the online rule applies to it.

    "A dossier submitted online outside working hours counts from the next working day" is a
    rule about the **submission** time (Decree 118/2025/NĐ-CP on online reception; DESIGN §2): an
    online dossier is measured from when it was submitted complete — its submission, or the
    answer to a supplement request made at intake — not from when the clerk opened it. A
    dossier handed in at the counter or by post counts from its reception (``now``)."""
    from .constants import Channel

    if dossier.channel != Channel.ONLINE or dossier.submitted_at is None:
        return now, False
    complete = dossier.submitted_at
    answered = (
        dossier.supplement_requests.filter(during_processing=False, answered_at__isnull=False)
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )
    if answered is not None and answered > complete:
        complete = answered
    return min(complete, now), True
