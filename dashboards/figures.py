"""Every number of the dashboards, for one set of filters (period, agency subtree, sector,
procedure, online service level).

Definitions (agreed with the pages; the Decision 766 index builds on them). A period is
``[start 00:00, end + 1 day 00:00)`` in Asia/Ho_Chi_Minh; an agency filter means the dossier's
*receiving agency* lies in one of the given subtrees; sector / procedure / level are the
procedure's.

* **received**: dossiers whose ``received_at`` (status 2 reached: counter or online) is in the
  period; ``received_by_channel`` / ``received_online`` (channel 2) / ``received_by_level`` split
  them by the dossier's channel and the procedure's level (2, 3, 4).
* **resolved**: ``finished_at`` in the period (status 9 reached by approval);
  ``resolved_early / _on_time / _late`` by ``Dossier.timeliness`` fixed at approval.
* **in progress** at the moment *T* = ``min(end + 1 day 00:00, now)``: received before *T* and
  neither approved, withdrawn nor stopped before *T*; **overdue** when ``due_at < T`` (the current
  appointment date, i.e. already moved for supplement pauses).
* **returned**: ``returned_at`` in the period (status 10). **withdrawn / refused / stopped**: the
  history row that brought status 7 / 3 / 8 is in the period (one per dossier: these are final).
* **supplement_requests**: requests (form 02) made in the period (a dossier may count twice);
  **apologies**: apology letters (form 04) sent in the period.
* **rated** / ``rating_counts``: ratings given in the period; ``satisfaction_rate`` =
  (satisfied + acceptable) / rated.
* **digitised_dossiers**: received in the period with at least one file scanned at the counter;
  **e_results**: returned in the period with an electronic result file; **signed_results**:
  resolved in the period with a signed result stored (the fact's ``signed`` flag).
* **documents_sent / documents_received**: outgoing documents sent and incoming documents that
  came over the exchange in the period, by the scope's agencies (:mod:`dashboards.linked`).
* **payable**: received in the period with fees > 0; **online_paid**: those with a paid online
  payment.
* **processing time** of a resolved dossier: working seconds (province calendar) from
  ``counting_start`` to ``finished_at`` minus the working seconds spent waiting for supplements
  asked during processing (see :func:`dashboards.metrics.processing_seconds`). Averages and the
  90th percentile are in working hours; the percentile is the nearest-rank one over whole hours
  rounded up (so the summary tables can keep exact histograms).

:func:`dashboards.direct.direct_figures` computes everything straight from the dossiers (small
data, the agreement test); :func:`dashboards.selectors.dashboard_figures` reads the summary tables
(:mod:`dashboards.summary`). This module holds the definitions, the types and the direct
computation; the summary tables build on it, and :mod:`dashboards.selectors` (what pages and the
API call) on both.
"""

from __future__ import annotations

import calendar as _calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.constants import Rating
from dossiers.models import Dossier
from portal.agencies.models import Agency

from . import registry

# --- filters ----------------------------------------------------------------------------------


def last_day_of_month(d: date) -> date:
    return d.replace(day=_calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class Filters:
    """What to count. ``agency_ids`` are subtree roots (None = the whole province: the caller
    scopes it to what the user may see)."""

    start: date
    end: date
    agency_ids: tuple[int, ...] | None = None
    sector_id: int | None = None
    procedure_id: int | None = None
    level: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(_("The end date is before the start date."))
        if self.agency_ids is not None:
            object.__setattr__(self, "agency_ids", tuple(sorted({int(a) for a in self.agency_ids})))

    @property
    def period_kind(self) -> str:
        """month | quarter | year when the period is exactly one of those, else custom."""
        s, e = self.start, self.end
        if s.day != 1 or e != last_day_of_month(e):
            return "custom"
        months = (e.year - s.year) * 12 + e.month - s.month + 1
        if months == 1:
            return "month"
        if months == 3 and s.month in (1, 4, 7, 10):
            return "quarter"
        if months == 12 and s.month == 1:
            return "year"
        return "custom"

    def previous(self) -> Filters:
        """The period of the same kind just before (previous month / quarter / year), or the
        same number of days just before a custom period."""
        kind = self.period_kind
        if kind in ("month", "quarter", "year"):
            n = {"month": 1, "quarter": 3, "year": 12}[kind]
            start = add_months(self.start, -n)
            return replace(self, start=start, end=self.start - timedelta(days=1))
        length = (self.end - self.start).days + 1
        return replace(
            self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1)
        )

    def bounds(self) -> tuple[datetime, datetime]:
        """``[start 00:00, end + 1 day 00:00)`` as aware datetimes in the portal's time zone."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def snapshot_moment(self, now: datetime | None = None) -> datetime:
        """The moment the in-progress figures describe: the period's end, or now if sooner."""
        now = now or timezone.now()
        return min(self.bounds()[1], now)


def period_filters(kind: str, anchor: date, **kw: Any) -> Filters:
    """The month, quarter or year containing ``anchor``."""
    if kind == "month":
        start = anchor.replace(day=1)
        end = last_day_of_month(anchor)
    elif kind == "quarter":
        start = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
        end = last_day_of_month(add_months(start, 2))
    elif kind == "year":
        start, end = date(anchor.year, 1, 1), date(anchor.year, 12, 31)
    else:
        raise ValueError(_("Invalid period kind (month, quarter, year)."))
    return Filters(start=start, end=end, **kw)


# --- figures ----------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return None if not den else num / den


@dataclass
class Figures:
    """Every number of the dashboard for one :class:`Filters` (ints unless said)."""

    received: int = 0
    received_online: int = 0
    received_by_channel: dict[int, int] = field(default_factory=dict)
    received_by_level: dict[int, int] = field(default_factory=dict)
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress: int = 0
    in_progress_on_time: int = 0
    in_progress_overdue: int = 0
    returned: int = 0
    withdrawn: int = 0
    refused: int = 0
    stopped: int = 0
    supplement_requests: int = 0
    apologies: int = 0
    rated: int = 0
    rating_counts: dict[str, int] = field(default_factory=dict)
    digitised_dossiers: int = 0
    e_results: int = 0
    signed_results: int = 0
    documents_sent: int = 0
    documents_received: int = 0
    online_paid: int = 0
    payable: int = 0
    processing_seconds: int = 0  # sum over the resolved dossiers
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def satisfaction_rate(self) -> float | None:
        good = self.rating_counts.get(Rating.SATISFIED, 0) + self.rating_counts.get(
            Rating.ACCEPTABLE, 0
        )
        return _ratio(good, self.rated)

    @property
    def online_share(self) -> float | None:
        return _ratio(self.received_online, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.resolved_early + self.resolved_on_time, self.resolved)

    @property
    def late_rate(self) -> float | None:
        return _ratio(self.resolved_late, self.resolved)

    @property
    def overdue_rate(self) -> float | None:
        return _ratio(self.in_progress_overdue, self.in_progress)

    @property
    def digitised_share(self) -> float | None:
        return _ratio(self.digitised_dossiers, self.received)

    @property
    def e_result_share(self) -> float | None:
        return _ratio(self.e_results, self.returned)

    @property
    def signed_share(self) -> float | None:
        return _ratio(self.signed_results, self.resolved)

    @property
    def online_payment_share(self) -> float | None:
        return _ratio(self.online_paid, self.payable)

    @property
    def avg_processing_hours(self) -> float | None:
        return None if not self.resolved else self.processing_seconds / self.resolved / 3600

    def as_dict(self) -> dict[str, Any]:
        """Plain values (for JSON / CSV), ratios included."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in (
            "satisfaction_rate",
            "online_share",
            "on_time_rate",
            "late_rate",
            "overdue_rate",
            "digitised_share",
            "e_result_share",
            "signed_share",
            "online_payment_share",
            "avg_processing_hours",
        ):
            out[name] = getattr(self, name)
        return out

    def comparable(self) -> dict[str, Any]:
        """The stored fields without the notes, dicts without zero entries (for equality checks)."""
        out = {}
        for f in fields(self):
            if f.name == "notes":
                continue
            value = getattr(self, f.name)
            if isinstance(value, dict):
                value = {k: v for k, v in value.items() if v}
            out[f.name] = value
        return out


#: Figures field names that :func:`drilldown` can list (the registry's entries with a list).
DRILLDOWN_METRICS = registry.DRILLDOWN_METRICS


@dataclass(frozen=True)
class ProcedureTime:
    procedure_id: int
    procedure_code: str
    procedure_name: str
    resolved: int
    avg_working_hours: float | None
    p90_working_hours: int | None


@dataclass
class GroupRow:
    """One agency / sector / procedure row of a breakdown."""

    key: int
    code: str
    name: str
    figures: Figures


AgencyRow = GroupRow


def p90_from_histogram(hist: dict[int, int]) -> int | None:
    """Nearest-rank 90th percentile of whole working hours (``hist``: hours -> dossiers)."""
    total = sum(hist.values())
    if not total:
        return None
    rank = math.ceil(0.9 * total)
    seen = 0
    for hours in sorted(hist):
        seen += hist[hours]
        if seen >= rank:
            return hours
    return None  # pragma: no cover


def hours_bucket(seconds: int) -> int:
    """Whole working hours, rounded up (0 s -> 0 h)."""
    return max(0, math.ceil(seconds / 3600))


# --- direct computation -----------------------------------------------------------------------


def agency_q(agency_ids: Iterable[int] | None, field_name: str = "receiving_agency") -> Q:
    """Dossiers whose ``field_name`` agency is inside one of the subtrees."""
    if agency_ids is None:
        return Q()
    q = Q(pk__in=[])
    for pk, path in Agency.objects.filter(pk__in=list(agency_ids)).values_list("pk", "path"):
        q |= Q(**{f"{field_name}_id": pk}) | Q(**{f"{field_name}__path__startswith": path + "/"})
    return q


def scoped_dossiers(filters: Filters) -> QuerySet[Dossier]:
    """Dossiers matching the filters' agency / sector / procedure / level (not the period)."""
    qs = Dossier.objects.filter(agency_q(filters.agency_ids))
    if filters.sector_id is not None:
        qs = qs.filter(procedure__sector_id=filters.sector_id)
    if filters.procedure_id is not None:
        qs = qs.filter(procedure_id=filters.procedure_id)
    if filters.level is not None:
        qs = qs.filter(procedure__level=filters.level)
    return qs


def metric_qs(
    filters: Filters, metric: str, base: QuerySet[Dossier] | None = None
) -> QuerySet[Dossier]:
    """The dossiers behind one metric, straight from the dossiers tables (its registry entry's
    ``direct``)."""
    entry = registry.BY_NAME.get(metric)
    if entry is None or entry.direct is None:
        raise ValueError(_("Unknown metric: %(metric)s.") % {"metric": metric})
    a, b = filters.bounds()
    base = scoped_dossiers(filters) if base is None else base
    return entry.direct(registry.Direct(base, a, b, filters.snapshot_moment()))


def drilldown(filters: Filters, metric: str) -> QuerySet[Dossier]:
    """The dossiers behind a number (``metric`` = a :class:`Figures` field name), newest first.
    For pages at the scale of a province use :func:`dashboards.summary.drilldown_page` (keyset
    pagination over the indexed facts); this queryset is the exact definition."""
    if metric not in DRILLDOWN_METRICS:
        raise ValueError(_("Unknown metric: %(metric)s.") % {"metric": metric})
    return metric_qs(filters, metric).order_by("-received_at", "-pk")


def procedure_times_from(
    stats: dict[int, tuple[int, int, dict[int, int]]], procedures: dict[int, Any], limit: int
) -> list[ProcedureTime]:
    out = []
    for pid, (n, total, hist) in stats.items():
        p = procedures.get(pid)
        out.append(
            ProcedureTime(
                pid,
                getattr(p, "code", ""),
                getattr(p, "name", ""),
                n,
                (total / n / 3600) if n else None,
                p90_from_histogram(dict(hist)),
            )
        )
    out.sort(key=lambda r: (-r.resolved, r.procedure_code))
    return out[:limit]
