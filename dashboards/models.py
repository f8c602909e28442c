"""Summary tables of the dashboards (read-only copies of the dossiers' numbers).

* :class:`DossierFact`: one narrow row per dossier that left the draft state, with every date and
  flag a figure needs (refreshed from the dossier when it changes).
* :class:`SectorMonthStat` / :class:`ProcedureMonthStat`: counters per (agency, sector, level,
  month) and per (agency, procedure, month), each event counted in the month it happened; the
  dashboards read these. Recomputed from the facts for the (agency, month) keys a change touched.
  :class:`AgencyMonthStat` and :class:`ProvinceMonthStat` are the sector rows rolled up per
  (agency, level, month) and per (sector, level, month) over the province.
* :class:`SummaryState`: up to which month the month-end in-progress snapshots are kept.
* :class:`DirtyDossier`: dossiers changed since the last refresh, written in the same transaction
  as the change (a post-save of the dossier's history row or of a payment).

Everything here can be rebuilt from the dossiers: ``manage.py refresh_dashboards --all``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierFact(models.Model):
    dossier_id = models.BigIntegerField(primary_key=True)
    agency_id = models.BigIntegerField()
    agency_path = models.CharField(max_length=255)
    sector_id = models.BigIntegerField()
    procedure_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    channel = models.PositiveSmallIntegerField()
    status = models.PositiveSmallIntegerField()
    received_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    #: When a received dossier stopped being "in progress": approved, withdrawn or stopped.
    exit_at = models.DateTimeField(null=True)
    timeliness = models.CharField(max_length=10, blank=True)
    processing_seconds = models.IntegerField(null=True)
    returned_at = models.DateTimeField(null=True)
    #: The moment status 3 / 7 / 8 was reached, and which.
    closed_at = models.DateTimeField(null=True)
    closed_status = models.PositiveSmallIntegerField(null=True)
    rating = models.CharField(max_length=20, blank=True)
    rated_at = models.DateTimeField(null=True)
    #: Supplement requests (form 02) and apologies (form 04): epoch microseconds of each.
    supplement_ats = models.JSONField(default=list)
    apology_ats = models.JSONField(default=list)
    extra_first_at = models.DateTimeField(null=True)
    extra_last_at = models.DateTimeField(null=True)
    digitised = models.BooleanField(default=False)
    e_result = models.BooleanField(default=False)
    payable = models.BooleanField(default=False)
    online_paid = models.BooleanField(default=False)
    #: A signed result was stored for the dossier (a :class:`signatures.models.SignedDocument`
    #: with its file's SHA-256 set). Filled from the signatures' records, not from the dossier row,
    #: so not in the generator's COPY line: a database default (a bulk load writes no signed
    #: results, and a writer that predates the column still inserts its facts).
    signed = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("dossier fact")
        verbose_name_plural = _("dossier facts")
        indexes = [
            models.Index(fields=["received_at", "dossier_id"], name="fact_received"),
            models.Index(fields=["finished_at", "dossier_id"], name="fact_finished"),
            models.Index(fields=["returned_at"], name="fact_returned"),
            models.Index(fields=["closed_at"], name="fact_closed"),
            models.Index(fields=["rated_at"], name="fact_rated"),
            models.Index(fields=["extra_last_at"], name="fact_extra"),
            models.Index(fields=["agency_id", "received_at"], name="fact_agency_received"),
            # the refresh of one (agency, month) finds the agency's facts with an event that month
            models.Index(fields=["agency_id", "finished_at"], name="fact_agency_finished"),
            models.Index(fields=["agency_id", "returned_at"], name="fact_agency_returned"),
            models.Index(fields=["agency_id", "closed_at"], name="fact_agency_closed"),
            models.Index(fields=["agency_id", "rated_at"], name="fact_agency_rated"),
            models.Index(fields=["agency_id", "extra_last_at"], name="fact_agency_extra"),
            # the signed results' drill-down: the few signed facts by approval time (without it,
            # every approval of the period was read to find them: ~700 ms a year at 1M)
            models.Index(
                fields=["finished_at", "dossier_id"],
                name="fact_signed",
                condition=models.Q(signed=True),
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.dossier_id}"


class StatCounters(models.Model):
    """The additive counters of one group and month (each event in its own month)."""

    month = models.DateField()
    agency_id = models.BigIntegerField()
    agency_path = models.CharField(max_length=255)
    sector_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    received = models.IntegerField(default=0)
    received_c1 = models.IntegerField(default=0)
    received_c2 = models.IntegerField(default=0)
    received_c3 = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    processing_seconds = models.BigIntegerField(default=0)
    returned = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    supplement_requests = models.IntegerField(default=0)
    apologies = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rated_satisfied = models.IntegerField(default=0)
    rated_acceptable = models.IntegerField(default=0)
    rated_not_satisfied = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    e_results = models.IntegerField(default=0)
    payable = models.IntegerField(default=0)
    online_paid = models.IntegerField(default=0)
    #: Resolved with a stored signed result (a database default: see ``open_at_end``).
    signed_results = models.IntegerField(default=0, db_default=0)
    #: The group's dossiers in progress at the end of this month (the moment the next one starts)
    #: and, of them, overdue then: a snapshot, not a sum of events, so never added over months.
    #: Kept for the months up to :attr:`SummaryState.open_ends_through` (see ``summary.store_open_ends``).
    #: (A database default too: a writer that predates these columns still inserts its rows.)
    open_at_end = models.IntegerField(default=0, db_default=0)
    overdue_at_end = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m}"


COUNTER_FIELDS = [
    "received",
    "received_c1",
    "received_c2",
    "received_c3",
    "resolved",
    "early",
    "on_time",
    "late",
    "processing_seconds",
    "returned",
    "withdrawn",
    "refused",
    "stopped",
    "supplement_requests",
    "apologies",
    "rated",
    "rated_satisfied",
    "rated_acceptable",
    "rated_not_satisfied",
    "digitised",
    "e_results",
    "payable",
    "online_paid",
    "signed_results",
]


class SectorMonthStat(StatCounters):
    class Meta:
        verbose_name = _("monthly figures per sector")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "sector_id", "level", "month"], name="sectormonth_key"
            )
        ]
        indexes = [models.Index(fields=["month", "agency_path"], name="sectormonth_month")]


class AgencyMonthStat(StatCounters):
    """The sector rows rolled up per (agency, level, month): what the dashboards read when no
    sector or procedure filter applies (~20x fewer rows than :class:`SectorMonthStat`)."""

    # Django drops an abstract parent's field set to None; the stubs only see the parent's type
    sector_id = None  # type: ignore[assignment]

    class Meta:
        verbose_name = _("monthly figures per agency")
        constraints = [
            models.UniqueConstraint(fields=["agency_id", "level", "month"], name="agencymonth_key")
        ]
        indexes = [models.Index(fields=["month", "agency_path"], name="agencymonth_month")]


class ProvinceMonthStat(StatCounters):
    """The sector rows summed over every agency per (sector, level, month): what the province-wide
    figures, chart and sector table read when no agency or procedure filter applies (~54 rows a
    month instead of ~2,500 sector rows or ~900 agency rows at 1,000,000 dossiers)."""

    # Django drops an abstract parent's field set to None; the stubs only see the parent's type
    agency_id = None  # type: ignore[assignment]
    agency_path = None  # type: ignore[assignment]

    class Meta:
        verbose_name = _("monthly figures of the province per sector")
        constraints = [
            models.UniqueConstraint(
                fields=["sector_id", "level", "month"], name="provincemonth_key"
            )
        ]
        indexes = [models.Index(fields=["month"], name="provincemonth_month")]

    def __str__(self) -> str:
        return f"{self.sector_id} {self.month:%Y-%m}"


class ProcedureMonthStat(StatCounters):
    procedure_id = models.BigIntegerField()
    #: Whole working hours (rounded up) -> resolved dossiers, for an exact 90th percentile.
    hours_histogram = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("monthly figures per procedure")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "procedure_id", "month"], name="proceduremonth_key"
            )
        ]
        indexes = [
            models.Index(fields=["month", "agency_path"], name="proceduremonth_month"),
            models.Index(fields=["procedure_id", "month"], name="proceduremonth_proc"),
        ]


class ProcedureTimeMonth(models.Model):
    """Processing times per (procedure, month) over the whole province (the province-wide table of
    average and 90th-percentile times reads 12 rows per procedure instead of one per agency)."""

    procedure_id = models.BigIntegerField()
    sector_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    month = models.DateField()
    resolved = models.IntegerField(default=0)
    processing_seconds = models.BigIntegerField(default=0)
    hours_histogram = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("monthly processing times per procedure")
        constraints = [
            models.UniqueConstraint(fields=["procedure_id", "month"], name="proceduretime_key")
        ]
        indexes = [models.Index(fields=["month", "procedure_id"], name="proceduretime_month")]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.month:%Y-%m}"


class SummaryState(models.Model):
    """One row: how far the month-end in-progress snapshots (``open_at_end``) are kept.

    Every month up to ``open_ends_through`` has them, refreshed with the counters whenever a fact
    open at that month's end changes; the refresh extends them when a month ends. Readers use them
    only for a month up to this one, and probe the facts for any other moment (no row: none kept).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    open_ends_through = models.DateField(null=True)

    class Meta:
        verbose_name = _("summary tables state")

    def __str__(self) -> str:
        return f"open ends through {self.open_ends_through}"


class DirtyDossier(models.Model):
    """A dossier whose fact must be refreshed (written with the change, consumed by the task)."""

    dossier_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"dirty {self.dossier_id}"


def report_file_path(instance: DashboardReport, filename: str) -> str:
    return f"dashboards/reports/{instance.requested_by_id}/bao-cao-{instance.pk}-{secrets.token_hex(6)}.pdf"


class DashboardReport(models.Model):
    """A printable PDF report of the dashboard, asked for by a user and rendered by a worker.

    Laying out a report of 300 agencies takes seconds (about one per A4 page), too long for a web
    request: the request records the filters (with the period pinned to dates, so "this month"
    means the month it was asked in) and the worker renders them with the requester's scope
    checked again. Only the requester downloads it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    query = models.CharField(
        _("filters"), max_length=1000, help_text=_("The dashboard filters as a query string.")
    )
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    file = models.FileField(_("file"), upload_to=report_file_path, blank=True, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, default="", db_default="")
    pages = models.PositiveIntegerField(verbose_name=_("pages"), default=0)
    error = models.TextField(verbose_name=_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("dashboard report")
        verbose_name_plural = _("dashboard reports")
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="dashreport_user_idx")
        ]

    def __str__(self) -> str:
        return self.title
