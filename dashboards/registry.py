"""The metric registry: one entry per figure of the dashboards (issue 16).

Each :class:`Metric` says, for one :class:`~dashboards.figures.Figures` field:

* ``label``: what the pages, the exports and the PDF report call it (gettext; Vietnamese in
  ``dashboards/locale``), and whether more is better;
* ``counters``: the monthly counter columns of :class:`~dashboards.models.StatCounters` it sums
  (``source = "counters"``), or where else it comes from: ``"snapshot"`` (the in-progress
  figures, from the facts open at a moment and the month-end snapshots) or ``"linked"`` (other
  apps' records, :mod:`dashboards.linked`);
* ``event`` and ``fact``: how a dossier fact counts toward it: the event (a key of
  :data:`EVENTS`: the fact's date column, or list of moments) that must fall in the period and
  the condition on the fact, Django lookups on :class:`~dashboards.models.DossierFact` (also the
  drill-down list's filter on the indexed facts: :mod:`dashboards.summary.drilldown`). For a
  ``counters`` metric this is its counter's :class:`Count` (:attr:`Metric.count`);
* ``direct``: the dossiers behind it straight from the dossiers tables (the agreement test's side,
  :func:`dashboards.figures.drilldown` and :func:`~dashboards.direct.direct_figures`).

The counter columns read into the structured parts of the figures (the channels, the ratings, the
working seconds) have their :class:`Count` in :data:`STRUCTURED`; :data:`COUNTS` is every counter
column's one rule.

What is derived from it: how a fact counts (the Python rule :func:`dashboards.summary.facts.
fact_events`, compiled from :data:`COUNTS`; the set-based rebuild's SQL, :mod:`dashboards.summary.
rebuild_sql`; the partial months' aggregates, :func:`dashboards.summary.read.edge_counters`; the
facts a refresh of a month reads, :func:`dashboards.summary.snapshots.window_q`), the reading of
a row of counters (:func:`dashboards.summary.read.apply_all`), the sum of monthly figures
(:data:`dashboards.summary.groups.MERGED_FIELDS`), the counter behind a drill-down's total
(``METRIC_COUNTER``), the drill-down lists (:data:`DRILLDOWN_METRICS`, the facts' filters), the
direct querysets, and the figure rows of the page, the exports and the PDF report
(:data:`dashboards.reports.FIGURE_ROWS`). A new figure is one entry here plus its counter column
on ``StatCounters`` with its migration (a fact column too if its condition needs one).
``tests/dashboards/test_registry.py`` checks every entry has all its parts and that each rule
selects the same facts in Python, SQL and the ORM; the rebuild tests compare the SQL and Python
tables row for row.

**Signed results** are a dossier fact (``DossierFact.signed``: a signed result is stored for the
dossier, :class:`signatures.models.SignedDocument` with its SHA-256 set), counted at the approval
like ``resolved``; storing one marks the dossier dirty (:mod:`dashboards.signals`). **Documents
sent / received** stay ``linked``: an inter-agency document belongs to no dossier, so no fact or
monthly counter can carry it (and it has no sector, procedure or service level); they are counted
per request from their own small tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dossiers.constants import Channel, DossierStatus, Rating, Timeliness


def _exit_events(before: datetime) -> QuerySet[Any]:
    from dossiers.models import DossierEvent

    return DossierEvent.objects.filter(
        dossier=OuterRef("pk"),
        to_status__in=[DossierStatus.WITHDRAWN, DossierStatus.STOPPED],
        created_at__lt=before,
    )


def in_progress_qs(base: QuerySet[Any], moment: datetime) -> QuerySet[Any]:
    return (
        base.filter(received_at__lt=moment)
        .exclude(finished_at__lt=moment)
        .exclude(Exists(_exit_events(moment)))
    )


def _having_rows(base: QuerySet[Any], rows: QuerySet[Any]) -> QuerySet[Any]:
    """The dossiers of ``base`` with at least one of these rows (supplement requests, apologies of
    a period). On PostgreSQL as ``id = ANY(ARRAY(...))``: the period's few rows come from their
    date index and each dossier by primary key; an ``EXISTS`` / ``IN`` let the planner hash the
    whole dossiers table instead (335-470 ms at 1,000,000 dossiers)."""
    ids = rows.order_by().values("dossier_id").distinct()
    if connection.vendor != "postgresql":
        return base.filter(pk__in=ids)
    sql, params = ids.query.sql_with_params()
    from dossiers.models import Dossier

    table = connection.ops.quote_name(Dossier._meta.db_table)
    return base.extra(
        where=[f"{table}.{connection.ops.quote_name('id')} = ANY(ARRAY({sql}))"],
        params=list(params),
    )


@dataclass(frozen=True)
class Direct:
    """What a direct computation starts from: the scoped dossiers and the period's bounds."""

    base: QuerySet[Any]
    a: datetime
    b: datetime
    #: the moment the in-progress figures describe (the period's end, or now if sooner)
    moment: datetime

    @property
    def received(self) -> QuerySet[Any]:
        return self.base.filter(received_at__gte=self.a, received_at__lt=self.b)

    @property
    def resolved(self) -> QuerySet[Any]:
        return self.base.filter(finished_at__gte=self.a, finished_at__lt=self.b)

    @property
    def returned(self) -> QuerySet[Any]:
        return self.base.filter(returned_at__gte=self.a, returned_at__lt=self.b)

    def closed(self, status: int) -> QuerySet[Any]:
        """Dossiers whose history row that brought ``status`` is in the period."""
        from dossiers.models import DossierEvent

        return self.base.filter(
            Exists(
                DossierEvent.objects.filter(
                    dossier=OuterRef("pk"),
                    to_status=status,
                    created_at__gte=self.a,
                    created_at__lt=self.b,
                ).exclude(from_status=status)
            )
        )


@dataclass(frozen=True)
class Event:
    """A dated event of a dossier fact: the fact column holding its moment (``many``: a JSON list
    of epoch microseconds, one event per element, whose earliest and latest moments are the fact
    columns ``span``, so the facts with any are found by index). ``hours``: the approval, which
    also adds the whole working hours to the month's histogram."""

    column: str
    many: bool = False
    span: tuple[str, str] | None = None
    hours: bool = False


#: Every event a fact can count at, in the order the rule yields them.
EVENTS: dict[str, Event] = {
    "received_at": Event("received_at"),
    "finished_at": Event("finished_at", hours=True),
    "returned_at": Event("returned_at"),
    "closed_at": Event("closed_at"),
    "rated_at": Event("rated_at"),
    "supplement_ats": Event("supplement_ats", many=True, span=("extra_first_at", "extra_last_at")),
    "apology_ats": Event("apology_ats", many=True, span=("extra_first_at", "extra_last_at")),
}

#: The lookups a :class:`Count`'s condition may use (each has a Python, an SQL and an ORM form).
LOOKUPS = ("exact", "gt", "lt", "in")


@dataclass(frozen=True)
class Count:
    """How a fact counts toward one counter column of :class:`~dashboards.models.StatCounters`:
    at each of its ``event`` moments, if the fact meets ``fact`` (lookups on
    :class:`~dashboards.models.DossierFact`, ``column`` or ``column__gt`` / ``__lt`` / ``__in``;
    ``True`` / ``False`` for a flag), add 1, or the fact's ``value`` column (a sum). Declared once;
    the Python rule (:func:`dashboards.summary.facts.fact_events`), the set-based rebuild's SQL
    (:mod:`dashboards.summary.rebuild_sql`) and the partial months' aggregates
    (:func:`dashboards.summary.read.edge_counters`) are generated from it."""

    column: str
    event: str
    fact: dict[str, Any] = field(default_factory=dict)
    value: str | None = None


@dataclass(frozen=True)
class Metric:
    name: str
    label: Promise
    source: str = "counters"  # counters | snapshot | linked
    counters: tuple[str, ...] = ()
    #: the fact's date column in the period (a key of :data:`EVENTS`), and the extra condition on
    #: the fact (None: no list of dossiers behind the figure). For a ``counters`` metric also how
    #: a fact counts toward its counter: :attr:`count`.
    event: str | None = None
    fact: dict[str, Any] = field(default_factory=dict)
    direct: Callable[[Direct], QuerySet[Any]] | None = None
    higher_is_better: bool = True
    #: summed into its Figures field by the reader (False: set from a structured part, e.g.
    #: received_online = the channel-2 count)
    summed: bool = True

    @property
    def drill(self) -> bool:
        return self.direct is not None

    @property
    def count(self) -> Count | None:
        """The counting rule of the metric's counter column (``counters`` metrics)."""
        if self.source != "counters" or not self.counters or self.event is None:
            return None
        return Count(self.counters[0], self.event, dict(self.fact))


def _digitised(d: Direct) -> QuerySet[Any]:
    from dossiers.models import DossierFile

    return d.received.filter(
        Exists(DossierFile.objects.filter(dossier=OuterRef("pk"), is_digitised=True))
    )


def _online_paid(d: Direct) -> QuerySet[Any]:
    from dossiers.payments.constants import PaymentMethod, PaymentStatus
    from dossiers.payments.models import Payment

    return d.received.filter(fee_total__gt=0).filter(
        Exists(
            Payment.objects.filter(
                dossier=OuterRef("pk"), method=PaymentMethod.ONLINE, status=PaymentStatus.PAID
            )
        )
    )


def _having(rows: Callable[[Direct], QuerySet[Any]]) -> Callable[[Direct], QuerySet[Any]]:
    def qs(d: Direct) -> QuerySet[Any]:
        return _having_rows(d.base, rows(d))

    return qs


def _signed(d: Direct) -> QuerySet[Any]:
    from signatures.models import SignedDocument

    return d.resolved.filter(
        Exists(SignedDocument.objects.filter(dossier=OuterRef("pk")).exclude(sha256=""))
    )


def _supplements(d: Direct) -> QuerySet[Any]:
    from dossiers.models import SupplementRequest

    return SupplementRequest.objects.filter(requested_at__gte=d.a, requested_at__lt=d.b)


def _apologies(d: Direct) -> QuerySet[Any]:
    from dossiers.models import Apology

    return Apology.objects.filter(sent_at__gte=d.a, sent_at__lt=d.b)


def _in_progress(which: str) -> Callable[[Direct], QuerySet[Any]]:
    """In progress at the period's moment: received before it and neither approved, withdrawn
    nor stopped before it; overdue when the appointment date is before it."""

    def qs(d: Direct) -> QuerySet[Any]:
        open_ = in_progress_qs(d.base, d.moment)
        if which == "overdue":
            return open_.filter(due_at__lt=d.moment)
        if which == "on_time":
            return open_.exclude(due_at__lt=d.moment)
        return open_

    return qs


METRICS: tuple[Metric, ...] = (
    Metric(
        "received",
        _("Dossiers received"),
        counters=("received",),
        event="received_at",
        direct=lambda d: d.received,
    ),
    Metric(
        "received_online",
        _("Received online (channel 2)"),
        counters=("received_c2",),
        event="received_at",
        fact={"channel": Channel.ONLINE},
        direct=lambda d: d.received.filter(channel=Channel.ONLINE),
        summed=False,
    ),
    Metric(
        "resolved",
        _("Dossiers resolved"),
        counters=("resolved",),
        event="finished_at",
        direct=lambda d: d.resolved,
    ),
    Metric(
        "resolved_early",
        _("Resolved early"),
        counters=("early",),
        event="finished_at",
        fact={"timeliness": Timeliness.EARLY},
        direct=lambda d: d.resolved.filter(timeliness=Timeliness.EARLY),
    ),
    Metric(
        "resolved_on_time",
        _("Resolved on time"),
        counters=("on_time",),
        event="finished_at",
        fact={"timeliness": Timeliness.ON_TIME},
        direct=lambda d: d.resolved.filter(timeliness=Timeliness.ON_TIME),
    ),
    Metric(
        "resolved_late",
        _("Resolved late"),
        counters=("late",),
        event="finished_at",
        fact={"timeliness": Timeliness.LATE},
        direct=lambda d: d.resolved.filter(timeliness=Timeliness.LATE),
        higher_is_better=False,
    ),
    Metric("in_progress", _("In progress"), source="snapshot", direct=_in_progress("all")),
    Metric(
        "in_progress_on_time",
        _("In progress, on time"),
        source="snapshot",
        direct=_in_progress("on_time"),
    ),
    Metric(
        "in_progress_overdue",
        _("In progress, overdue"),
        source="snapshot",
        direct=_in_progress("overdue"),
        higher_is_better=False,
    ),
    Metric(
        "returned",
        _("Results returned"),
        counters=("returned",),
        event="returned_at",
        direct=lambda d: d.returned,
    ),
    Metric(
        "withdrawn",
        _("Withdrawn"),
        counters=("withdrawn",),
        event="closed_at",
        fact={"closed_status": DossierStatus.WITHDRAWN},
        direct=lambda d: d.closed(DossierStatus.WITHDRAWN),
    ),
    Metric(
        "refused",
        _("Refused at reception"),
        counters=("refused",),
        event="closed_at",
        fact={"closed_status": DossierStatus.NOT_RECEIVED},
        direct=lambda d: d.closed(DossierStatus.NOT_RECEIVED),
        higher_is_better=False,
    ),
    Metric(
        "stopped",
        _("Processing stopped"),
        counters=("stopped",),
        event="closed_at",
        fact={"closed_status": DossierStatus.STOPPED},
        direct=lambda d: d.closed(DossierStatus.STOPPED),
        higher_is_better=False,
    ),
    Metric(
        "supplement_requests",
        _("Supplement requests"),
        counters=("supplement_requests",),
        event="supplement_ats",  # a list of moments: the drill-down reads them apart
        direct=_having(_supplements),
        higher_is_better=False,
    ),
    Metric(
        "apologies",
        _("Apologies sent"),
        counters=("apologies",),
        event="apology_ats",
        direct=_having(_apologies),
        higher_is_better=False,
    ),
    Metric(
        "rated",
        _("Ratings given"),
        counters=("rated",),
        event="rated_at",
        fact={"rating__gt": ""},
        direct=lambda d: d.base.filter(rated_at__gte=d.a, rated_at__lt=d.b).exclude(rating=""),
    ),
    Metric(
        "digitised_dossiers",
        _("Digitised dossiers"),
        counters=("digitised",),
        event="received_at",
        fact={"digitised": True},
        direct=_digitised,
    ),
    Metric(
        "e_results",
        _("Electronic results"),
        counters=("e_results",),
        event="returned_at",
        fact={"e_result": True},
        direct=lambda d: d.returned.exclude(result_file=""),
    ),
    Metric(
        "signed_results",
        _("Digitally signed results"),
        counters=("signed_results",),
        event="finished_at",
        fact={"signed": True},
        direct=_signed,
    ),
    Metric(
        "online_paid",
        _("Fees paid online"),
        counters=("online_paid",),
        event="received_at",
        fact={"online_paid": True},
        direct=_online_paid,
    ),
    Metric(
        "payable",
        _("Dossiers with fees"),
        counters=("payable",),
        event="received_at",
        fact={"payable": True},
        direct=lambda d: d.received.filter(fee_total__gt=0),
    ),
    Metric("documents_sent", _("Inter-agency documents sent"), source="linked"),
    Metric("documents_received", _("Inter-agency documents received"), source="linked"),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}

#: Counter columns read into the structured parts of Figures, not into one metric's field, with
#: how a fact counts toward each: the channels (received_by_channel; received_online is channel
#: 2, the same rule as its metric's), the ratings (rating_counts) and the working seconds of the
#: approvals (processing_seconds, a sum).
STRUCTURED: tuple[tuple[str, Count], ...] = (
    *(
        ("received_by_channel", Count(f"received_c{ch}", "received_at", {"channel": int(ch)}))
        for ch in Channel.values
    ),
    *(
        ("rating_counts", Count(f"rated_{r.value}", "rated_at", {"rating": r.value}))
        for r in (Rating.SATISFIED, Rating.ACCEPTABLE, Rating.NOT_SATISFIED)
    ),
    (
        "processing_seconds",
        Count("processing_seconds", "finished_at", value="processing_seconds"),
    ),
)
STRUCTURED_COUNTERS: dict[str, str] = {c.column: part for part, c in STRUCTURED}


def _counts() -> tuple[Count, ...]:
    """Every counter column's one rule: the metrics' and the structured parts' (a column both
    declare, received_c2, must be declared alike)."""
    out: dict[str, Count] = {}
    for c in [*(m.count for m in METRICS if m.count is not None), *(c for _p, c in STRUCTURED)]:
        if out.setdefault(c.column, c) != c:
            raise ValueError(f"two rules for the counter {c.column}: {out[c.column]} and {c}")
    return tuple(out.values())


#: How a fact counts toward each counter column (see :class:`Count`).
COUNTS: tuple[Count, ...] = _counts()

#: The Figures field names a drill-down can list.
DRILLDOWN_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if m.drill)

#: The monthly counter behind each drill-down metric's total (in-progress: the snapshot).
METRIC_COUNTER: dict[str, str] = {
    m.name: m.counters[0] for m in METRICS if m.source == "counters" and m.drill
}


def summed_counters(counter_fields: list[str]) -> list[tuple[int, str]]:
    """(position in a row of ``counter_fields``, Figures field) of every plainly summed metric."""
    return [
        (counter_fields.index(m.counters[0]), m.name)
        for m in METRICS
        if m.source == "counters" and m.summed
    ]
