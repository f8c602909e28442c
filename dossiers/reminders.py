"""Deadline reminders (nhắc hạn): due soon, overdue, the leaders' daily digest, apology drafts.

Each reminder reaches its recipient once per dossier, step and kind, even with two beat processes,
several workers and a worker killed mid-send (docs/tech-facts.md "Celery and Redis"):

1. **Scan** (beat, every ``REMINDER_SCAN_INTERVAL`` s): one ``INSERT … SELECT … ON CONFLICT DO
   NOTHING`` per kind selects the due steps set-based in the database and claims them as
   :class:`~portal.notifications.models.Reminder` rows; the unique constraints (dossier, step,
   kind, recipient) turn a second beat's identical insert into nothing. Due times live in the
   database, never in ETA tasks.
2. **Send** (worker): ``pending`` rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED``; in the
   same transaction each becomes notification rows keyed on the reminder (unique ``event_key``)
   and is marked ``done``. A worker killed before the commit leaves the row ``pending`` for the
   next sender; after it, the notification rows exist and :func:`services.deliver` claims each one
   atomically (``requeue_stuck`` re-sends what a killed worker left ``sending``).

The due-soon threshold is ``REMINDER_DUE_SOON_HOURS`` *working* hours, turned into one instant per
work calendar (``add_working_seconds``), so Friday afternoon warns about Monday's deadline.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.accounts.constants import AccountKind, Role
from portal.core.outbox import outbox_enqueue
from portal.notifications import services
from portal.notifications.models import Reminder, ReminderKind, ReminderState
from portal.workcalendar import services as workcalendar
from portal.workcalendar.models import WorkCalendar

from .models import Apology, Dossier, DossierStep
from .selectors import leaders_of

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


logger = logging.getLogger(__name__)

SEND_TASK = "portal.notifications.tasks.send_reminders"
#: Reminders turned into notifications per claim transaction.
BATCH = 200
#: At most this many sender tasks are enqueued by one scan (each drains batches until none is left).
MAX_SENDERS = 4
#: Statuses in which the clock runs and someone must act: received (2) and being processed (4).
#: Paused dossiers (5, 6: waiting for the applicant) are not reminded.
RUNNING_STATUSES = (2, 4)
DIGEST_TOP = 10


def _tables() -> dict[str, str]:
    from portal.accounts.models import StaffRole
    from portal.agencies.models import Agency

    return {
        "rem": Reminder._meta.db_table,
        "dossier": Dossier._meta.db_table,
        "step": DossierStep._meta.db_table,
        "apology": Apology._meta.db_table,
        "user": get_user_model()._meta.db_table,
        "role": StaffRole._meta.db_table,
        "agency": Agency._meta.db_table,
    }


# --- scan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Horizon:
    """The due-soon limit of the dossiers received by agencies under one work calendar."""

    until: datetime
    condition: str  # SQL on the receiving agency ``ra``
    params: tuple[Any, ...]


def horizons(now: datetime) -> list[Horizon]:
    """One due-soon instant per work calendar: ``REMINDER_DUE_SOON_HOURS`` working hours from now.

    A calendar attached to a province applies to the agencies below it; the default calendar to
    all others (a handful of calendars, so a handful of statements, whatever the dossier count).
    """
    seconds = int(settings.REMINDER_DUE_SOON_HOURS) * 3600
    scoped = list(WorkCalendar.objects.filter(province__isnull=False).select_related("province"))
    result = []
    paths = []
    for calendar in scoped:
        if calendar.province is None:  # excluded by the query; said again for the type checker
            continue
        path = calendar.province.path
        paths.append(path)
        until = workcalendar.add_working_seconds(now, seconds, calendar=calendar)
        result.append(Horizon(until, "(ra.path = %s OR ra.path LIKE %s)", (path, path + "/%")))
    default = workcalendar.get_calendar(None)
    until = workcalendar.add_working_seconds(now, seconds, calendar=default)
    if paths:
        condition = " AND ".join("NOT (ra.path = %s OR ra.path LIKE %s)" for _ in paths)
        result.append(
            Horizon(until, condition, tuple(p for path in paths for p in (path, path + "/%")))
        )
    else:
        result.append(Horizon(until, "1 = 1", ()))
    return result


_STEP_FROM = """
    FROM {dossier} d
    JOIN {step} s ON s.id = d.current_step_id
    JOIN {agency} ra ON ra.id = d.receiving_agency_id
"""
_STEP_WHERE = """
    WHERE d.status IN ({running}) AND d.paused_at IS NULL
      AND s.finished_at IS NULL AND s.due_at IS NOT NULL
"""
#: The leaders of the unit processing the dossier: the same rule as ``workflow.acts_in_unit``
#: (role leader, the unit inside the leader's agency, and inside his department if he has one).
_LEADERS_JOIN = """
    JOIN {agency} u ON u.id = COALESCE(d.handling_department_id, d.receiving_agency_id)
    JOIN {role} r ON r.role = 'leader'
    JOIN {user} l ON l.id = r.user_id AND l.is_active AND l.kind = 'staff'
    JOIN {agency} la ON la.id = l.agency_id
    LEFT JOIN {agency} ld ON ld.id = l.department_id
"""
_LEADERS_WHERE = """
      AND (u.path = la.path OR u.path LIKE la.path || '/%%')
      AND (l.department_id IS NULL OR u.path = ld.path OR u.path LIKE ld.path || '/%%')
"""


def _insert(sql: str, params: list[Any]) -> int:
    t = _tables()
    with connection.cursor() as cursor:
        cursor.execute(sql.format(running=", ".join(str(s) for s in RUNNING_STATUSES), **t), params)
        return max(cursor.rowcount, 0)


def _claim_steps(
    kind: str, window: str, window_params: list[Any], now: datetime, *, leaders: bool
) -> int:
    recipient = "l.id" if leaders else "COALESCE(s.assignee_id, d.assigned_to_id)"
    sql = (
        "INSERT INTO {rem} (kind, dossier_id, step_id, recipient_id, due_at, state, created_at, note) "
        f"SELECT %s, d.id, s.id, {recipient}, s.due_at, 'pending', %s, %s "
        + _STEP_FROM
        + (_LEADERS_JOIN if leaders else "")
        + _STEP_WHERE
        + (_LEADERS_WHERE if leaders else "")
        + f" AND {window} AND {recipient} IS NOT NULL ON CONFLICT DO NOTHING"
    )
    return _insert(sql, [kind, now, "leader" if leaders else "assignee", *window_params])


def _claim_apology_drafts(now: datetime) -> int:
    """Form 04 (Circular 03/2025/TT-VPCP) is the apology *and request to extend*, sent before the
    time limit runs out, at the latest the working day before the due date: claim the dossiers due
    by the end of the next working day (``dossiers.deadlines.draft_horizon``)."""
    from dossiers.deadlines import draft_horizon

    sql = (
        "INSERT INTO {rem} (kind, dossier_id, step_id, recipient_id, due_at, state, created_at, note) "
        "SELECT %s, d.id, NULL, NULL, d.due_at, 'pending', %s, '' FROM {dossier} d "
        "WHERE d.status IN ({running}) AND d.paused_at IS NULL AND d.due_at <= %s AND d.rescheduled_due_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM {apology} a WHERE a.dossier_id = d.id) ON CONFLICT DO NOTHING"
    )
    return _insert(sql, [ReminderKind.APOLOGY_DRAFT, now, draft_horizon(now)])


def scan_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Claim every reminder now due (set-based) and enqueue the senders; returns the new counts.

    Safe to run concurrently and repeatedly: a reminder that exists is not inserted again.
    """
    now = now or timezone.now()
    counts = {"due_soon": 0, "overdue": 0, "overdue_leader": 0, "apology_draft": 0}
    with transaction.atomic():
        for h in horizons(now):
            counts["due_soon"] += _claim_steps(
                ReminderKind.DUE_SOON,
                f"s.due_at > %s AND s.due_at <= %s AND {h.condition}",
                [now, h.until, *h.params],
                now,
                leaders=False,
            )
        counts["overdue"] = _claim_steps(
            ReminderKind.OVERDUE, "s.due_at <= %s", [now], now, leaders=False
        )
        counts["overdue_leader"] = _claim_steps(
            ReminderKind.OVERDUE, "s.due_at <= %s", [now], now, leaders=True
        )
        counts["apology_draft"] = _claim_apology_drafts(now)
        _enqueue_senders(sum(counts.values()))
    if any(counts.values()):
        logger.info("reminders.scanned", extra=counts)
    return counts


def _enqueue_senders(new: int) -> None:
    for _ in range(min(math.ceil(new / BATCH), MAX_SENDERS)):
        outbox_enqueue(SEND_TASK, kwargs={})


def daily_digest(*, now: datetime | None = None) -> int:
    """Claim today's digest of every active leader (once per leader per day); returns the new ones."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    sql = (
        "INSERT INTO {rem} (kind, dossier_id, step_id, recipient_id, day, state, created_at, note) "
        "SELECT %s, NULL, NULL, l.id, %s, 'pending', %s, '' FROM {user} l JOIN {role} r ON r.user_id = l.id "
        "WHERE r.role = %s AND l.is_active AND l.kind = %s AND l.agency_id IS NOT NULL ON CONFLICT DO NOTHING"
    )
    with transaction.atomic():
        new = _insert(sql, [ReminderKind.DIGEST, day, now, Role.LEADER, AccountKind.STAFF])
        _enqueue_senders(new)
    return new


# --- send ---------------------------------------------------------------------------------------


def send_pending(*, batch: int = BATCH, now: datetime | None = None) -> int:
    """Turn up to ``batch`` pending reminders into notifications, then deliver those.

    One transaction claims the rows (``FOR UPDATE SKIP LOCKED``: concurrent senders take disjoint
    rows), loads their dossiers in one query, inserts every notification in one statement and marks
    the reminders processed; the sends happen after the commit, each claimed atomically.
    Returns how many reminders this call processed (0: nothing left, or all locked by others).
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = Reminder.objects.filter(state=ReminderState.PENDING).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        claimed = list(rows.select_related("recipient")[:batch])
        dossiers = _dossiers([r.dossier_id for r in claimed if r.dossier_id])
        built: list[Any] = []
        for reminder in claimed:
            dossier = dossiers.get(reminder.dossier_id) if reminder.dossier_id else None
            new, state, note = _process(reminder, dossier, now)
            built += new
            reminder.state, reminder.note, reminder.processed_at = state, note[:255], timezone.now()
        Reminder.objects.bulk_update(claimed, ["state", "note", "processed_at"])
        notification_ids = services.save_new(built)
    services.deliver_many(notification_ids)
    return len(claimed)


def drain(*, max_seconds: float = 200.0) -> int:
    """Process pending reminders batch after batch until none is left or time is up (a task must
    stay below its time limit)."""
    deadline = timezone.now() + timedelta(seconds=max_seconds)
    total = 0
    while timezone.now() < deadline:
        done = send_pending()
        total += done
        if done == 0:
            break
    return total


def _dossiers(ids: list[int]) -> dict[int, Any]:
    related = (
        "procedure",
        "current_step",
        "assigned_to",
        "current_step__assignee",
        "receiving_agency",
        "handling_department",
    )
    return Dossier.objects.select_related(*related).in_bulk(ids) if ids else {}


def _process(reminder: Reminder, dossier: Any, now: datetime) -> tuple[list[Any], str, str]:
    """The (unsaved) notifications a claimed reminder becomes, its new state and a note."""
    if reminder.kind == ReminderKind.DIGEST:
        return _process_digest(reminder, now)
    if dossier is None:
        return [], ReminderState.SKIPPED, "dossier gone"
    if reminder.kind == ReminderKind.APOLOGY_DRAFT:
        return _process_apology(reminder, dossier, now)
    step = dossier.current_step
    if (
        step is None
        or step.pk != reminder.step_id
        or step.finished_at is not None
        or dossier.status not in RUNNING_STATUSES
    ):
        return [], ReminderState.SKIPPED, "step no longer open"
    user = reminder.recipient
    if user is None or not user.is_active:
        return [], ReminderState.SKIPPED, "no recipient"
    assignee = step.assignee or dossier.assigned_to
    context = _dossier_context(dossier, user) | {
        "step_name": step.name,
        "step_due_at": step.due_at,
        "assignee_name": getattr(assignee, "full_name", "") if assignee else "",
        "for_leader": reminder.note == "leader",
    }
    rows = services.build_for_user(
        user=user,
        event=reminder.kind,
        key=f"reminder:{reminder.pk}",
        context=context,
        dossier_id=dossier.pk,
    )
    return rows, ReminderState.DONE, reminder.note


def _dossier_context(dossier: Any, user: Actor) -> dict[str, Any]:
    procedure = dossier.procedure
    name = (
        (getattr(procedure, "name_en", "") or procedure.name)
        if getattr(user, "language", "vi") == "en"
        else procedure.name
    )
    return {
        "dossier": dossier,
        "code": dossier.code or "",
        "procedure_name": name,
        "due_at": dossier.due_at,
    }


def apology_new_due(dossier: Any, now: datetime) -> datetime:
    """The proposed extended date: ``REMINDER_APOLOGY_DAYS`` working days after the original due
    date (or after today, if that is later), at the end of the day."""
    calendar = workcalendar.get_calendar(dossier.receiving_agency)
    start = (
        max(timezone.localdate(now), timezone.localdate(dossier.due_at))
        if dossier.due_at
        else timezone.localdate(now)
    )
    day = workcalendar.add_working_days(
        start, int(settings.REMINDER_APOLOGY_DAYS), calendar=calendar
    )
    return datetime.combine(
        day, calendar.afternoon_end or time(17, 0), tzinfo=timezone.get_current_timezone()
    )


def _process_apology(reminder: Reminder, dossier: Any, now: datetime) -> tuple[list[Any], str, str]:
    from .services import dossier_draft_apology

    apology = dossier_draft_apology(
        dossier=dossier, new_due_at=apology_new_due(dossier, now), now=now
    )
    if apology is None:
        return [], ReminderState.SKIPPED, "no longer late or already apologised"
    rows: list[Any] = []
    for leader in leaders_of(dossier):
        context = _dossier_context(dossier, leader) | {
            "new_due_at": apology.new_due_at,
            "apology": apology,
        }
        rows += services.build_for_user(
            user=leader,
            event="apology_draft",
            key=f"reminder:{reminder.pk}:user:{leader.pk}",
            context=context,
            dossier_id=dossier.pk,
        )
    return rows, ReminderState.DONE, f"apology {apology.pk}"


def led_dossiers(user: Actor) -> QuerySet:
    """Open dossiers whose processing unit the leader ``user`` leads."""
    agency, department = user.agency, user.department
    if agency is None:
        return Dossier.objects.none()
    scope = department or agency

    def within(prefix: str) -> Q:
        return Q(**{f"{prefix}__path": scope.path}) | Q(
            **{f"{prefix}__path__startswith": scope.path + "/"}
        )

    return Dossier.objects.filter(status__in=RUNNING_STATUSES).filter(
        within("handling_department")
        | (Q(handling_department__isnull=True) & within("receiving_agency"))
    )


def digest_for(user: Actor, now: datetime) -> dict[str, Any]:
    """What a leader's daily digest lists: counts of overdue and due-soon dossiers and the top items."""
    horizon = workcalendar.add_working_seconds(now, int(settings.REMINDER_DUE_SOON_HOURS) * 3600)
    base = led_dossiers(user).filter(due_at__isnull=False)
    overdue = base.filter(due_at__lte=now)
    due_soon = base.filter(due_at__gt=now, due_at__lte=horizon)
    top = list(
        base.filter(due_at__lte=horizon)
        .select_related("procedure", "assigned_to")
        .order_by("due_at")[:DIGEST_TOP]
    )
    return {
        "overdue_count": overdue.count(),
        "due_soon_count": due_soon.count(),
        "items": top,
        "now": now,
    }


def _process_digest(reminder: Reminder, now: datetime) -> tuple[list[Any], str, str]:
    user = reminder.recipient
    if user is None or not user.is_active:
        return [], ReminderState.SKIPPED, "no recipient"
    context = digest_for(user, now)
    if not context["overdue_count"] and not context["due_soon_count"]:
        return [], ReminderState.SKIPPED, "nothing due"
    context["day"] = reminder.day
    rows = services.build_for_user(
        user=user, event="digest", key=f"reminder:{reminder.pk}", context=context
    )
    note = f"overdue {context['overdue_count']}, due soon {context['due_soon_count']}"
    return rows, ReminderState.DONE, note
