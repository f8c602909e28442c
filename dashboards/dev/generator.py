"""A realistic province, generated: agencies, sectors, procedures and years of dossiers.

Written for PostgreSQL with COPY (psycopg2 ``copy_expert``) in chunks, numpy-free. What is
written, and why it is consistent with the figures' definitions (:mod:`dashboards.selectors`):

* dossiers with their national status, channel, submission / reception / counting-start /
  appointment / approval / return / rating times (appointment dates by the real working-day
  calendar, moved by the supplement pauses like the services do; early / on time / late by the
  calendar's own rule);
* a supplement request row (form 02) for the 5–10 % of dossiers that got one (a few got two,
  which counts them late, Decision 766), an apology row (form 04) for most late ones, a
  scanned-file row for counter dossiers that were digitised, a paid online payment for the
  dossiers whose fees were paid online;
* of the history, only the rows the figures read: the one that closed a refused, withdrawn or
  stopped dossier (a one-row valid hash chain). Generated dossiers have no processing steps
  and no real result files (``result_file`` names a file that does not exist).

Every generated dossier carries ``form_data = {"_generated": <seed>}``: the command refuses to
run on a database holding any other dossier unless forced.

How a million dossiers fit in a few minutes (measured in bench/README.md, "Dashboards on
1,000,000 dossiers"): one transaction; each dossier's summary fact comes from the summary's own
rule (:func:`dashboards.summary.fact_values`) applied to the values just generated, so nothing is
read back; dossiers, facts and the other rows go by COPY in chunks of 50,000 from a background
thread while the next chunk is generated (:class:`dashboards.bulkload.CopyStream`); a load that
at least doubles the dossiers sets the tables' secondary indexes and foreign keys aside and
rebuilds them once at the end (:func:`dashboards.bulkload.indexes_set_aside`; the tables are
locked for the run); the monthly counters are then rebuilt set-based in SQL
(:func:`dashboards.summary.rebuild_months`). The hot loop avoids what profiling showed costly:
the appointment date comes from a (day, days) table rather than the calendar per dossier,
moments are compared within one zone and formatted once, random integers and tracking tokens are
drawn without per-call overhead.

Split by job (issue 16): the catalogue in :mod:`dashboards.dev.catalogue`, one dossier's rows in
:mod:`dashboards.dev.dossier_rows`; here the run (the COPY stream, the indexes set aside, the
counters rebuilt).
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import random
import secrets
import time as _time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dossiers.constants import Timeliness
from dossiers.models import Dossier
from portal.agencies.models import Agency
from portal.workcalendar import services as workcalendar
from portal.workcalendar.constants import Timeliness as WorkTimeliness

from ..metrics import CalendarCache, FastCalendar
from ..progress import progress_bar  # noqa: F401 - the command imports it from here
from ..summary import FACT_FIELDS, lock_refreshes, rebuild_months
from . import bulkload
from .catalogue import GENERATED_KEY, Catalogue, build_catalogue
from .dossier_rows import ChunkLines, DossierRows, RunContext

MONTH_WEIGHT = {
    1: 0.85,
    2: 0.7,
    3: 1.05,
    4: 1.0,
    5: 1.0,
    6: 1.05,
    7: 1.0,
    8: 1.0,
    9: 0.95,
    10: 1.05,
    11: 1.1,
    12: 1.15,
}


# --- COPY -------------------------------------------------------------------------------------


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` into ``table`` (PostgreSQL; see :mod:`dashboards.bulkload`)."""
    return bulkload.copy_rows(table, columns, rows)


def _reserve_ids(model: Any, n: int) -> int:
    """First of ``n`` consecutive primary keys nobody else will get (the sequence jumps past)."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = cur.fetchone()[0] + 1
        cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + n])
    return first


# --- dossiers ---------------------------------------------------------------------------------


DOSSIER_COLUMNS = [
    "id",
    "code",
    "procedure_id",
    "procedure_version_id",
    "receiving_agency_id",
    "handling_department_id",
    "applicant_id",
    "applicant_name",
    "applicant_citizen_id",
    "applicant_tax_code",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "channel",
    "status",
    "stage",
    "form_data",
    "created_at",
    "updated_at",
    "submitted_at",
    "received_at",
    "counting_start",
    "due_at",
    "finished_at",
    "returned_at",
    "supplement_cycles",
    "paused_seconds",
    "paused_at",
    "resume_status",
    "resume_stage",
    "rescheduled_due_at",
    "assigned_to_id",
    "current_step_id",
    "timeliness",
    "result_file",
    "result_delivery",
    "fee_total",
    "paid_at",
    "rating",
    "rating_comment",
    "rated_at",
    "tracking_token",
]

SR_COLUMNS = [
    "dossier_id",
    "requested_by_id",
    "items",
    "reason",
    "during_processing",
    "requested_at",
    "answered_at",
    "answered_by_id",
    "answer_comment",
]
APOLOGY_COLUMNS = [
    "dossier_id",
    "reason",
    "new_due_at",
    "created_by_id",
    "approved_by_id",
    "created_at",
    "sent_at",
]
EVENT_COLUMNS = [
    "dossier_id",
    "seq",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "comment",
    "data",
    "step_timeliness",
    "created_at",
    "prev_hash",
    "hash",
]
FILE_COLUMNS = [
    "dossier_id",
    "document_id",
    "document_name",
    "file",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "is_digitised",
    "is_supplement",
    "uploaded_by_id",
    "uploaded_at",
]
PAYMENT_COLUMNS = [
    "dossier_id",
    "reference",
    "amount",
    "method",
    "status",
    "bank_code",
    "response_code",
    "receipt_number",
    "created_by_id",
    "created_at",
    "paid_at",
    "note",
    "callback_data",
]
#: The tables a big load fills, whose secondary indexes and foreign keys are rebuilt after it.
BULK_TABLES = [
    "dossiers_dossier",
    "dossiers_supplementrequest",
    "dossiers_apology",
    "dossiers_dossierevent",
    "dossiers_dossierfile",
    "payments_payment",
    "dashboards_dossierfact",
]
ANALYZE_TABLES = [
    *BULK_TABLES,
    "dashboards_proceduremonthstat",
    "dashboards_sectormonthstat",
    "dashboards_agencymonthstat",
    "dashboards_proceduretimemonth",
]
#: Dossiers per COPY chunk (~30 MB of text): big enough that a round trip costs nothing, small
#: enough that two chunks in flight stay small.
CHUNK = 50_000


class Generator(DossierRows):
    def __init__(
        self,
        *,
        dossiers: int,
        years: int,
        agencies: int,
        procedures: int,
        seed: int = 766,
        end: date | None = None,
        progress: Callable[[str], Callable[[int, int], None]] | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self.n, self.years, self.n_agencies, self.n_procedures, self.seed = (
            dossiers,
            years,
            agencies,
            procedures,
            seed,
        )
        self.chunk = chunk
        self.rng = random.Random(seed)
        self.end = end or (timezone.localdate() - timedelta(days=1))
        self.start = self.end.replace(year=self.end.year - years) + timedelta(days=1)
        self.progress = progress or (lambda label: lambda done, total: None)
        self.cal = FastCalendar(workcalendar.get_calendar(None))
        self.tz = timezone.get_current_timezone()
        # local: the loop compares moments with it, and an aware comparison across zones costs
        # ~30x one within a zone
        self.now = timezone.now().astimezone(self.tz)
        self._due: dict[tuple[date, int], tuple[datetime, int]] = {}
        self._timeliness = {tl: str(Timeliness.__members__[tl.name].value) for tl in WorkTimeliness}

    # calendar helpers through the real calendar
    def _working_days(self) -> list[date]:
        days, d = [], self.start
        while d <= self.end:
            if self.cal.is_working(d):
                days.append(d)
            d += timedelta(days=1)
        return days

    def run(self) -> dict[str, Any]:
        """Catalogue, dossiers with their facts, monthly counters: one transaction. A load that
        at least doubles the dossiers is written with the tables' secondary indexes and foreign
        keys set aside (:mod:`dashboards.bulkload`), rebuilt before the commit."""
        timings: dict[str, float] = {}
        t0, c0 = _time.monotonic(), _time.process_time()
        with transaction.atomic():
            bulkload.tune_session_for_load()
            cat = build_catalogue(
                self.rng, agencies=self.n_agencies, procedures=self.n_procedures, seed=self.seed
            )
            timings["catalogue_s"] = _time.monotonic() - t0
            lock_refreshes()  # the facts and counters below must not interleave with a refresh
            bulk = self.n >= Dossier.objects.count()
            timings["bulk_load"] = bulk
            t1 = _time.monotonic()
            with bulkload.indexes_set_aside(
                BULK_TABLES, enabled=bulk, progress=self.progress("indexes")
            ):
                counts = self._dossiers(cat)
                timings["dossiers_s"] = _time.monotonic() - t1
                timings.update(self.copy_stats)
                t2 = _time.monotonic()
            timings["indexes_s"] = _time.monotonic() - t2
            t3 = _time.monotonic()
            counts["procedure_months"] = rebuild_months(
                exclusive=bulk, progress=self.progress("summary")
            )
            timings["summary_s"] = _time.monotonic() - t3
            t4 = _time.monotonic()
        timings["commit_s"] = _time.monotonic() - t4
        t5 = _time.monotonic()
        with connection.cursor() as cur:
            for table in ANALYZE_TABLES:
                cur.execute(f"ANALYZE {table}")
        timings["analyze_s"] = _time.monotonic() - t5
        timings["total_s"] = _time.monotonic() - t0
        timings["cpu_s"] = _time.process_time() - c0
        return {**counts, **timings}

    def _dossiers(self, cat: Catalogue) -> dict[str, int]:
        """Every dossier with its rows in the other tables and its fact, streamed by COPY in
        chunks (PostgreSQL stores a chunk while the next one is generated)."""
        from dossiers.models import DossierCodeCounter

        rng = self.rng
        days = self._working_days()
        # volume grows ~8 % a year, month weights, Tết is already absent (days off)
        day_cum = list(
            itertools.accumulate(
                MONTH_WEIGHT[d.month] * (1.08 ** (d.year - self.start.year)) for d in days
            )
        )
        proc_cum = list(itertools.accumulate(p["weight"] for p in cat.procedures))
        commune_cum = list(itertools.accumulate(rng.uniform(0.3, 3.0) for _ in cat.communes))
        first_id = _reserve_ids(Dossier, self.n)
        show = self.progress("dossiers")
        agency_ids = [a.pk for a in cat.communes + cat.departments]
        # continue the code sequences already issued (a second run, or real receptions)
        seqs: dict[tuple[int, date], int] = {
            (a, d): v
            for a, d, v in DossierCodeCounter.objects.filter(agency_id__in=agency_ids).values_list(
                "agency_id", "date", "last_value"
            )
        }
        paths = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "path"))
        cals = CalendarCache()
        self.ctx = RunContext(
            cat=cat,
            seqs=seqs,
            tag=f"{self.seed % 100:02d}",
            agency_prefix={
                a.pk: a.receiving_code or a.code for a in cat.communes + cat.departments
            },
            agency_path=paths,
            agency_cal={pk: cals(pk) for pk in agency_ids},
            day_text={d: f"{d:%Y%m%d}" for d in days},
            form_data=json.dumps({GENERATED_KEY: self.seed}),
            sr_items=json.dumps(
                [{"document": "Giấy tờ bổ sung", "reason": ""}], ensure_ascii=False
            ),
            span=max(1, (self.end - self.start).days),
            start_ord=self.start.toordinal(),
        )
        totals = {
            "dossiers": 0,
            "supplement_requests": 0,
            "apologies": 0,
            "events": 0,
            "files": 0,
            "payments": 0,
        }
        stream = bulkload.CopyStream()
        proc_total, commune_total = proc_cum[-1], commune_cum[-1] if commune_cum else 0.0
        procs, communes = cat.procedures, cat.communes
        random_, bisect_ = rng.random, bisect.bisect
        show(0, self.n)
        try:
            for start in range(0, self.n, self.chunk):
                size = min(self.chunk, self.n - start)
                received_days = sorted(rng.choices(days, cum_weights=day_cum, k=size))
                # tracking tokens as secrets.token_urlsafe(18) gives them (18 random bytes, 24
                # URL-safe characters), one system call per chunk
                tokens = base64.urlsafe_b64encode(secrets.token_bytes(18 * size)).decode()
                out = ChunkLines()
                for j, day in enumerate(received_days):
                    p = procs[min(bisect_(proc_cum, random_() * proc_total), len(procs) - 1)]
                    if p["commune"]:
                        agency = communes[
                            min(bisect_(commune_cum, random_() * commune_total), len(communes) - 1)
                        ]
                    else:
                        agency = p["agency"]
                    self._one(
                        first_id + start + j, day, p, agency.pk, out, tokens[24 * j : 24 * j + 24]
                    )
                stream.send("dossiers_dossier", DOSSIER_COLUMNS, out.dossiers)
                stream.send("dashboards_dossierfact", FACT_FIELDS, out.facts)
                stream.send("dossiers_supplementrequest", SR_COLUMNS, out.supplements)
                stream.send("dossiers_apology", APOLOGY_COLUMNS, out.apologies)
                stream.send("dossiers_dossierevent", EVENT_COLUMNS, out.events)
                stream.send("dossiers_dossierfile", FILE_COLUMNS, out.files)
                stream.send("payments_payment", PAYMENT_COLUMNS, out.payments)
                totals["dossiers"] += len(out.dossiers)
                totals["supplement_requests"] += len(out.supplements)
                totals["apologies"] += len(out.apologies)
                totals["events"] += len(out.events)
                totals["files"] += len(out.files)
                totals["payments"] += len(out.payments)
                show(start + size, self.n)
        finally:
            t0 = _time.monotonic()
            stream.close()  # the connection is ours again (and a COPY error is raised here)
            self.copy_stats = {
                "copy_wait_s": stream.wait_s + _time.monotonic() - t0,
                "copy_busy_s": sum(stream.busy_s.values()),
                **{f"copy_{t.split('_', 1)[1]}_s": v for t, v in stream.busy_s.items()},
            }
        # codes are issued without gaps and never reused: the counters go on from here
        DossierCodeCounter.objects.filter(agency_id__in=agency_ids).delete()
        copy_rows(
            DossierCodeCounter._meta.db_table,
            ["agency_id", "date", "last_value"],
            ((a, d, v) for (a, d), v in seqs.items()),
        )
        return totals


def real_dossiers_exist() -> bool:
    """Any dossier the generator did not write."""
    return Dossier.objects.exclude(form_data__has_key=GENERATED_KEY).exists()
