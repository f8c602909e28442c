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
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import json
import random
import secrets
import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dossiers.constants import Channel, DossierStatus, Rating, Stage, Timeliness
from dossiers.models import GENESIS_HASH, Dossier, DossierEvent
from portal.agencies.constants import AgencyLevel
from portal.agencies.models import Agency
from portal.workcalendar import services as workcalendar
from portal.workcalendar.constants import Timeliness as WorkTimeliness

from ..metrics import CalendarCache, FastCalendar
from ..progress import progress_bar  # noqa: F401 - the command imports it from here
from ..summary import FACT_FIELDS, fact_values, lock_refreshes, rebuild_months, to_us
from . import bulkload

GENERATED_KEY = "_generated"

SECTORS = [
    ("Đất đai", "Land"),
    ("Hộ tịch", "Civil status"),
    ("Chứng thực", "Certification"),
    ("Đăng ký kinh doanh", "Business registration"),
    ("Xây dựng", "Construction"),
    ("Giao thông vận tải", "Transport"),
    ("Tư pháp", "Justice"),
    ("Lao động - Thương binh", "Labour"),
    ("Giáo dục", "Education"),
    ("Y tế", "Health"),
    ("Tài nguyên môi trường", "Environment"),
    ("Công thương", "Industry and trade"),
    ("Nông nghiệp", "Agriculture"),
    ("Văn hóa - Thể thao", "Culture and sport"),
    ("Thông tin truyền thông", "Information"),
    ("Nội vụ", "Home affairs"),
    ("Tài chính", "Finance"),
    ("Kế hoạch đầu tư", "Planning and investment"),
]
COMMUNE_SECTORS = {"Hộ tịch", "Chứng thực", "Đất đai", "Lao động - Thương binh", "Tư pháp"}
#: Relative volume per month (January and February dip around Tết; year-end rush).
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
NAMES = [
    "Lò Văn",
    "Quàng Thị",
    "Nguyễn Văn",
    "Trần Thị",
    "Lê Văn",
    "Cà Văn",
    "Lường Thị",
    "Vì Văn",
    "Phạm Thị",
    "Hoàng Văn",
]
GIVEN = [
    "Pâng",
    "Ánh",
    "Minh",
    "Hoa",
    "Dũng",
    "Xuân",
    "Thắm",
    "Tuấn",
    "Lan",
    "Sơn",
    "Hương",
    "Bình",
]


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


# --- the catalogue ----------------------------------------------------------------------------


@dataclass
class Catalogue:
    province: Agency
    departments: list[Agency]
    communes: list[Agency]
    procedures: list[dict] = field(
        default_factory=list
    )  # id, version_id, sector, level, days, fee, commune, agency_ids, weight
    user_id: int = 0


def build_catalogue(rng: random.Random, *, agencies: int, procedures: int, seed: int) -> Catalogue:
    """Agencies (a province, its departments and communes), sectors, published procedures."""
    from django.contrib.auth import get_user_model

    from procedures.models import Procedure, ProcedureVersion, Sector
    from procedures.services import procedure_snapshot

    tag = f"{seed % 100:02d}"
    province, _ = Agency.objects.get_or_create(
        code=f"000.00.00.G{tag}",
        defaults={"name": f"UBND tỉnh (sinh tự động {seed})", "level": AgencyLevel.PROVINCE},
    )
    n_dep = max(1, min(25, agencies // 12))
    departments: list[Agency] = []
    communes: list[Agency] = []
    for i in range(1, agencies):
        is_dep = i <= n_dep
        code = f"000.{(i // 100):02d}.{(i % 100):02d}.G{tag}"
        name = (
            f"Sở {SECTORS[(i - 1) % len(SECTORS)][0]}"
            if is_dep
            else f"UBND xã {GIVEN[i % len(GIVEN)]} {i}"
        )
        a, _ = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": AgencyLevel.DEPARTMENT if is_dep else AgencyLevel.COMMUNE,
                "parent": province,
                "receiving_code": f"G{tag}.{i:03d}",
            },
        )
        (departments if is_dep else communes).append(a)
    sectors = []
    for i, (vi, en) in enumerate(SECTORS):
        s, _ = Sector.objects.get_or_create(
            code=f"GEN{tag}-{i:02d}", defaults={"name": vi, "name_en": en, "ordering": i}
        )
        sectors.append(s)
    User = get_user_model()
    user = User.objects.filter(username=f"generator{tag}").first()
    if user is None:
        # The author of the generated supplement requests, apologies and history rows; no usable password.
        user = User.objects.create_user(
            username=f"generator{tag}",
            password=None,
            kind="staff",
            agency=province,
            full_name="Dữ liệu sinh tự động",
            is_active=False,
        )
    cat = Catalogue(province, departments, communes, user_id=user.pk)
    for i in range(procedures):
        sector = sectors[i % len(sectors)]
        commune = sector.name in COMMUNE_SECTORS and rng.random() < 0.6 and bool(communes)
        level = rng.choices([2, 3, 4], [0.3, 0.35, 0.35])[0]
        days = rng.choice([1, 3, 5, 5, 7, 10, 15, 20])
        code = f"9.{seed % 1000:03d}{i:03d}"
        p = Procedure.objects.filter(code=code).first()
        if p is None:
            p = Procedure.objects.create(
                code=code,
                name=f"{sector.name}: thủ tục {i + 1}",
                sector=sector,
                level=level,
                processing_time=Decimal(days),
                state="published",
                version=1,
                published_at=timezone.now(),
                agency_levels=["commune"] if commune else ["department"],
            )
            dep = departments[i % len(departments)]
            if not commune:
                p.agencies.add(dep)
            version = ProcedureVersion.objects.create(
                procedure=p, version=1, snapshot=procedure_snapshot(p)
            )
        else:
            latest = p.versions.order_by("-version").first()
            assert latest is not None  # a generated procedure has its version 1
            version = latest
            dep = departments[i % len(departments)]
        fee = rng.choice([0, 0, 0, 0, 20000, 50000, 100000]) if level >= 3 else 0
        cat.procedures.append(
            {
                "id": p.pk,
                "version_id": version.pk,
                "sector_id": p.sector_id,
                "level": p.level,
                "days": days,
                "fee": fee,
                "fee_decimal": Decimal(fee),
                "commune": commune,
                "agency": None if commune else dep,
                "weight": 1.0 / (i + 1) ** 0.9,
            }
        )
    return cat


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


# plain values of the choices (the hot loop compares and writes them a million times)
_ONLINE, _POSTAL, _IN_PERSON = int(Channel.ONLINE), int(Channel.POSTAL), int(Channel.IN_PERSON)
_S = {
    name: int(getattr(DossierStatus, name))
    for name in (
        "NEW",
        "RECEIVED",
        "NOT_RECEIVED",
        "IN_PROGRESS",
        "SUPPLEMENT_REQUESTED",
        "WITHDRAWN",
        "STOPPED",
        "PROCESSED",
        "RETURNED",
    )
}
_STAGE = {
    name: str(getattr(Stage, name).value)
    for name in ("ASSIGNMENT", "EXAMINATION", "RESULT", "CLOSED")
}
_LATE = str(Timeliness.LATE.value)
RATINGS = [
    str(Rating.SATISFIED.value),
    str(Rating.ACCEPTABLE.value),
    str(Rating.NOT_SATISFIED.value),
]
_RATING_CUM_LATE = list(itertools.accumulate([0.6, 0.25, 0.15]))
_RATING_CUM = list(itertools.accumulate([0.86, 0.11, 0.03]))

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


class Generator:
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

    def _randrange(self, a: int, b: int) -> int:
        """Like ``rng.randrange(a, b)`` for the hot loop, ~5x cheaper (no rejection sampling)."""
        return a + int(self.rng.random() * (b - a))

    # calendar helpers through the real calendar
    def _working_days(self) -> list[date]:
        days, d = [], self.start
        while d <= self.end:
            if self.cal.is_working(d):
                days.append(d)
            d += timedelta(days=1)
        return days

    def _moment(self, d: date, hour: float) -> datetime:
        h = int(hour)
        m = int((hour - h) * 60)
        return datetime.combine(d, time(h, m, int(self.rng.random() * 60)), tzinfo=self.tz)

    def _work_time(self, d: date) -> datetime:
        hour = (
            self.rng.uniform(7.0, 11.4) if self.rng.random() < 0.6 else self.rng.uniform(13.5, 16.9)
        )
        return self._moment(d, hour)

    def _due_at(self, counting: datetime, day: date, days: int) -> tuple[datetime, int]:
        """The appointment date of a dossier received at ``counting`` on the working day ``day``
        and its cumulative working µs. Receptions happen inside a session of a working day, so
        the date depends on (day, days) only: the calendar is asked once per pair, not per dossier."""
        key = (day, days)
        found = self._due.get(key)
        if found is None:
            due = self.cal.due_at_working_days(counting, days)
            found = self._due[key] = (due, self.cal.cumulative_us(due))
        return found

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
        self.ctx = _Context(
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
                out = _Out()
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

    def _one(self, pk: int, day: date, p: dict, agency_id: int, out: _Out, token: str) -> None:
        rng, cal, ctx, S, now = self.rng, self.cal, self.ctx, _S, self.now
        random_, randrange = rng.random, self._randrange
        user_id = ctx.cat.user_id
        year_frac = (day.toordinal() - ctx.start_ord) / ctx.span
        online_p = (0.45 + 0.3 * year_frac) if p["level"] >= 3 else 0.0
        r = random_()
        channel = _ONLINE if r < online_p else (_POSTAL if r > 0.97 else _IN_PERSON)
        intake = self._work_time(day)  # the reception's moment; None below if never received
        received_at: datetime | None = intake
        submitted_at = (
            intake - timedelta(minutes=randrange(5, 60 * 24 * 2))
            if channel == _ONLINE
            else intake - timedelta(minutes=randrange(1, 30))
        )
        status, stage = S["RECEIVED"], _STAGE["ASSIGNMENT"]
        counting = due = finished = returned = rated_at = paused_at = None
        timeliness = rating = result_file = result_delivery = ""
        cycles = paused_seconds = 0
        resume_status = None
        resume_stage = ""
        closing: tuple[int, int, datetime, str] | None = None
        my_sr: list[list[Any]] = []  # [requested_at, answered_at or None]
        ap_at = None
        outcome = random_()
        if outcome < 0.012:  # refused at intake: never received
            status, stage = S["NOT_RECEIVED"], _STAGE["CLOSED"]
            closing = (S["NEW"], S["NOT_RECEIVED"], intake, "refuse")
            received_at = None
        elif outcome < 0.018:  # withdrawn before reception
            status, stage = S["WITHDRAWN"], _STAGE["CLOSED"]
            closing = (S["NEW"], S["WITHDRAWN"], intake, "withdraw")
            received_at = None
        code = None
        if received_at is not None:
            key = (agency_id, day)
            seq = ctx.seqs[key] = ctx.seqs.get(key, 0) + 1
            code = f"{ctx.agency_prefix[agency_id]}-{ctx.day_text[day]}-{seq:07d}"
            counting = received_at  # generated receptions happen inside working hours: the clock starts at once
            due, due_us = self._due_at(counting, day, p["days"])
            budget = max(1, (due_us - cal.cumulative_us(counting)) // 1_000_000)
            # supplements asked during processing (5-10 %), a few twice
            pauses: list[tuple[datetime, datetime]] = []
            if random_() < 0.075:
                n_req = 2 if random_() < 0.1 else 1
                at = cal.add_working_seconds(counting, int(budget * rng.uniform(0.1, 0.4)))
                for _ in range(n_req):
                    answered = cal.add_working_seconds(at, randrange(3600, 5 * 28800))
                    pauses.append((at, answered))
                    at = cal.add_working_seconds(answered, randrange(1800, 28800))
                for a, b in pauses:
                    due = cal.add_working_seconds(due, cal.working_seconds_between(a, b))
                    paused_seconds += int((b - a).total_seconds())
            cycles = len(pauses)
            # when the leader approves: mostly early, some on the due date, 3-8 % late
            fate = random_()
            late_p = 0.03 + 0.05 * (1 - year_frac) + (0.3 if cycles > 1 else 0)
            if fate < late_p:
                finished = cal.add_working_seconds(due, randrange(1800, 10 * 28800))
            elif fate < late_p + 0.2:
                due_day_start = datetime.combine(
                    due.astimezone(self.tz).date(), time(7, 0), tzinfo=self.tz
                )
                finished = due_day_start + (due - due_day_start) * rng.uniform(0.05, 0.95)
            else:
                finished = cal.add_working_seconds(counting, int(budget * rng.uniform(0.2, 0.85)))
            if pauses:
                for a, b in pauses:  # processing cannot end inside a pause
                    if a <= finished <= b:
                        finished = cal.add_working_seconds(b, 1800)
                if finished < pauses[-1][1]:
                    finished = cal.add_working_seconds(pauses[-1][1], 3600)
                my_sr = [[a, b] for a, b in pauses]  # [requested_at, answered_at]
            stopper = random_()
            if stopper < 0.009:  # withdrawn (0.6 %) or stopped (0.3 %) while in progress
                closing_at = cal.add_working_seconds(counting, int(budget * rng.uniform(0.05, 0.5)))
                if closing_at < now:
                    to = S["WITHDRAWN"] if stopper < 0.006 else S["STOPPED"]
                    status, stage = to, _STAGE["CLOSED"]
                    closing = (
                        S["IN_PROGRESS"],
                        to,
                        closing_at,
                        "withdraw" if stopper < 0.006 else "stop",
                    )
                    finished = None
                    my_sr = [row for row in my_sr if row[0] < closing_at]
            if closing is None and finished is not None and finished <= now:
                timeliness = self._timeliness[workcalendar.timeliness(finished, due)]
                status, stage = S["PROCESSED"], _STAGE["RESULT"]
                if timeliness == _LATE and random_() < 0.7:
                    ap_at = due + timedelta(hours=randrange(1, 20))
                    if ap_at < finished:
                        out.apologies.append(
                            bulkload.copy_line(
                                (
                                    pk,
                                    "Hồ sơ cần xác minh thêm",
                                    finished + timedelta(days=1),
                                    user_id,
                                    user_id,
                                    ap_at,
                                    ap_at,
                                )
                            )
                        )
                    else:
                        ap_at = None
                if p["level"] == 4 and random_() < 0.6:
                    result_file = f"generated/{pk}.pdf"
                ret = cal.add_working_seconds(finished, randrange(600, 3 * 28800))
                if ret <= now and random_() < 0.98:
                    returned = ret
                    status, stage = S["RETURNED"], _STAGE["CLOSED"]
                    result_delivery = "online" if result_file and channel == _ONLINE else "counter"
                    if random_() < 0.35:
                        rated_at = returned + timedelta(hours=randrange(1, 72))
                        if rated_at <= now:
                            cum = _RATING_CUM_LATE if timeliness == _LATE else _RATING_CUM
                            rating = RATINGS[bisect.bisect(cum, random_() * cum[-1])]
                        else:
                            rated_at = None
            elif closing is None:  # still in progress today
                finished = None
                status, stage = S["IN_PROGRESS"], _STAGE["EXAMINATION"]
                for row in my_sr:
                    if row[0] <= now < row[1]:  # waiting for the applicant's supplement now
                        status = S["SUPPLEMENT_REQUESTED"]
                        paused_at, resume_status, resume_stage = (
                            row[0],
                            S["IN_PROGRESS"],
                            _STAGE["EXAMINATION"],
                        )
                        row[1] = None
                        break
                my_sr = [row for row in my_sr if row[0] <= now]
            for a, b in my_sr:
                out.supplements.append(
                    bulkload.copy_line(
                        (pk, user_id, ctx.sr_items, "Hồ sơ chưa đầy đủ", True, a, b, None, "")
                    )
                )
        fee = p["fee_decimal"] if received_at is not None else _ZERO
        paid_at = None
        paid_online = digitised = False
        if fee and channel == _ONLINE and random_() < 0.7:
            paid_at = intake + timedelta(minutes=randrange(5, 600))  # a fee implies a reception
            paid_online = True
            ref = f"GEN{ctx.tag}-{pk}"
            out.payments.append(
                bulkload.copy_line(
                    (
                        pk,
                        ref,
                        fee,
                        "online",
                        "paid",
                        "NCB",
                        "00",
                        ref,
                        user_id,
                        paid_at,
                        paid_at,
                        "",
                        "{}",
                    )
                )
            )
        if received_at is not None and channel == _IN_PERSON and random_() < 0.3 + 0.5 * year_frac:
            digitised = True
            out.files.append(
                bulkload.copy_line(
                    (
                        pk,
                        None,
                        "Giấy tờ (bản quét)",
                        f"generated/{pk}-scan.pdf",
                        "scan.pdf",
                        "application/pdf",
                        1024,
                        _sha256_of_pk(pk),
                        True,
                        False,
                        user_id,
                        received_at,
                    )
                )
            )
        if closing is not None:
            from_status, to_status, at, action = closing
            e = DossierEvent(
                dossier_id=pk,
                seq=1,
                action=action,
                from_status=from_status,
                to_status=to_status,
                actor_id=user_id,
                comment="",
                data={},
                step_timeliness="",
                created_at=at,
                prev_hash=GENESIS_HASH,
            )
            out.events.append(
                bulkload.copy_line(
                    (
                        pk,
                        1,
                        action,
                        from_status,
                        to_status,
                        user_id,
                        "",
                        "{}",
                        "",
                        at,
                        GENESIS_HASH,
                        e.compute_hash(),
                    )
                )
            )
        name = f"{NAMES[int(random_() * len(NAMES))]} {GIVEN[int(random_() * len(GIVEN))]}"
        created = submitted_at - timedelta(minutes=randrange(1, 120))
        updated = max(
            filter(
                None,
                (
                    created,
                    submitted_at,
                    received_at,
                    finished,
                    returned,
                    rated_at,
                    closing[2] if closing else None,
                ),
            )
        )
        finished_col = finished if status in (S["PROCESSED"], S["RETURNED"]) else None
        rated_col = rated_at if rating else None
        # The COPY lines of the dossier and its fact, written out here rather than through the
        # generic bulkload.copy_line: a third of the loop's time went to formatting, half of it
        # to the same moments written twice (datetime.isoformat ~1 µs each). Every text value is
        # the generator's own (no tab, newline or backslash to escape); a moment is formatted once.
        memo: dict[int, str] = {}

        def iso(d: datetime | None) -> str:
            if d is None:
                return _NULL
            text = memo.get(id(d))  # the objects stay alive for the whole dossier: ids are unique
            if text is None:
                text = memo[id(d)] = d.isoformat()
            return text

        out.dossiers.append(
            f"{pk}\t{code or _NULL}\t{p['id']}\t{p['version_id']}\t{agency_id}\t{agency_id if received_at else _NULL}\t{_NULL}\t"
            f"{name}\t0{randrange(10**10, 10**11)}\t\t09{randrange(10**7, 10**8)}\t\t{_ADDRESS}\t"
            f"{channel}\t{status}\t{stage}\t{ctx.form_data}\t{iso(created)}\t{iso(updated)}\t{iso(submitted_at)}\t{iso(received_at)}\t"
            f"{iso(counting)}\t{iso(due)}\t{iso(finished_col)}\t{iso(returned)}\t{cycles}\t{paused_seconds}\t{iso(paused_at)}\t"
            f"{_NULL if resume_status is None else resume_status}\t{resume_stage}\t{_NULL}\t{_NULL}\t{_NULL}\t{timeliness}\t"
            f"{result_file}\t{result_delivery}\t{fee}\t{iso(paid_at)}\t{rating}\t\t{iso(rated_col)}\t{token}\n"
        )
        # the fact by the summary's own rule, from the values just written (no read-back)
        f = fact_values(
            dossier_id=pk,
            agency_id=agency_id,
            agency_path=ctx.agency_path[agency_id],
            sector_id=p["sector_id"],
            procedure_id=p["id"],
            level=p["level"],
            channel=channel,
            status=status,
            received_at=received_at,
            counting_start=counting,
            due_at=due,
            finished_at=finished_col,
            timeliness=timeliness,
            returned_at=returned,
            rating=rating,
            rated_at=rated_col,
            result_file=result_file,
            fee_total=fee,
            closed_at=closing[2] if closing else None,
            closed_status=closing[1] if closing else None,
            supplement_ats=[to_us(a) for a, _b in my_sr],
            pauses=[(a, b) for a, b in my_sr if b is not None],
            apology_ats=[to_us(ap_at)] if ap_at is not None else [],
            digitised=digitised,
            paid_online=paid_online,
            calendar=ctx.agency_cal[agency_id],
        )
        out.facts.append(
            f"{f[0]}\t{f[1]}\t{f[2]}\t{f[3]}\t{f[4]}\t{f[5]}\t{f[6]}\t{f[7]}\t{iso(f[8])}\t{iso(f[9])}\t{iso(f[10])}\t{iso(f[11])}\t"
            f"{f[12]}\t{_NULL if f[13] is None else f[13]}\t{iso(f[14])}\t{iso(f[15])}\t{_NULL if f[16] is None else f[16]}\t{f[17]}\t"
            f"{iso(f[18])}\t{_int_list(f[19])}\t{_int_list(f[20])}\t{iso(f[21])}\t{iso(f[22])}\t"
            f"{'t' if f[23] else 'f'}\t{'t' if f[24] else 'f'}\t{'t' if f[25] else 'f'}\t{'t' if f[26] else 'f'}\n"
        )


_ZERO = Decimal(0)
_NULL = "\\N"
_ADDRESS = "Tỉnh Điện Biên"
#: The fact line of :meth:`Generator._one` is written by position: it must follow this order.
_FACT_LINE_FIELDS = [
    "dossier_id",
    "agency_id",
    "agency_path",
    "sector_id",
    "procedure_id",
    "level",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "exit_at",
    "timeliness",
    "processing_seconds",
    "returned_at",
    "closed_at",
    "closed_status",
    "rating",
    "rated_at",
    "supplement_ats",
    "apology_ats",
    "extra_first_at",
    "extra_last_at",
    "digitised",
    "e_result",
    "payable",
    "online_paid",
]
if FACT_FIELDS != _FACT_LINE_FIELDS:  # pragma: no cover - a changed fact must change the line too
    raise ImportError(
        "dashboards.generator writes the fact line in the order of summary.FACT_FIELDS: update Generator._one."
    )


def _int_list(v: list[int]) -> str:
    return "[" + ",".join(map(str, v)) + "]" if v else "[]"


def _sha256_of_pk(pk: int) -> str:
    return hashlib.sha256(str(pk).encode()).hexdigest()


@dataclass
class _Context:
    """What every dossier of a run reads, looked up once."""

    cat: Catalogue
    seqs: dict[tuple[int, date], int]
    tag: str
    agency_prefix: dict[int, str]
    agency_path: dict[int, str]
    agency_cal: dict[int, FastCalendar]
    day_text: dict[date, str]
    form_data: str
    sr_items: str
    span: int
    start_ord: int


@dataclass
class _Out:
    """One chunk's COPY lines, per table."""

    dossiers: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    supplements: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)


def real_dossiers_exist() -> bool:
    """Any dossier the generator did not write."""
    return Dossier.objects.exclude(form_data__has_key=GENERATED_KEY).exists()
