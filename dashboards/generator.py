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
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import random
import secrets
import sys
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

from .metrics import FastCalendar

GENERATED_KEY = "_generated"

SECTORS = [
    ("Đất đai", "Land"), ("Hộ tịch", "Civil status"), ("Chứng thực", "Certification"), ("Đăng ký kinh doanh", "Business registration"),
    ("Xây dựng", "Construction"), ("Giao thông vận tải", "Transport"), ("Tư pháp", "Justice"), ("Lao động - Thương binh", "Labour"),
    ("Giáo dục", "Education"), ("Y tế", "Health"), ("Tài nguyên môi trường", "Environment"), ("Công thương", "Industry and trade"),
    ("Nông nghiệp", "Agriculture"), ("Văn hóa - Thể thao", "Culture and sport"), ("Thông tin truyền thông", "Information"),
    ("Nội vụ", "Home affairs"), ("Tài chính", "Finance"), ("Kế hoạch đầu tư", "Planning and investment"),
]
COMMUNE_SECTORS = {"Hộ tịch", "Chứng thực", "Đất đai", "Lao động - Thương binh", "Tư pháp"}
#: Relative volume per month (January and February dip around Tết; year-end rush).
MONTH_WEIGHT = {1: 0.85, 2: 0.7, 3: 1.05, 4: 1.0, 5: 1.0, 6: 1.05, 7: 1.0, 8: 1.0, 9: 0.95, 10: 1.05, 11: 1.1, 12: 1.15}
NAMES = ["Lò Văn", "Quàng Thị", "Nguyễn Văn", "Trần Thị", "Lê Văn", "Cà Văn", "Lường Thị", "Vì Văn", "Phạm Thị", "Hoàng Văn"]
GIVEN = ["Pâng", "Ánh", "Minh", "Hoa", "Dũng", "Xuân", "Thắm", "Tuấn", "Lan", "Sơn", "Hương", "Bình"]


def progress_bar(label: str, stream: Any = None) -> Callable[[int, int], None]:
    """A plain progress bar on stderr (tqdm is not installed)."""
    stream = stream or sys.stderr
    started = _time.monotonic()
    last = [-1.0]

    def show(done: int, total: int) -> None:
        frac = 1.0 if not total else min(1.0, done / total)
        now = _time.monotonic()
        if frac < 1.0 and now - last[0] < 0.5:
            return
        last[0] = now
        width = 30
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        stream.write(f"\r{label:<12} [{bar}] {done:>9,}/{total:,} {frac:6.1%} {now - started:6.1f}s")
        if frac >= 1.0:
            stream.write("\n")
        stream.flush()

    return show


# --- COPY -------------------------------------------------------------------------------------


def _copy_value(v: Any) -> str:
    t = type(v)
    if t is int or t is Decimal:
        return str(v)
    if v is None:
        return "\\N"
    if t is bool:
        return "t" if v else "f"
    if t is datetime:
        return v.isoformat()
    if t is dict or t is list:
        v = json.dumps(v, ensure_ascii=False)
    s = str(v)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` into ``table`` (PostgreSQL)."""
    buf = io.StringIO()
    n = 0
    for row in rows:
        buf.write("\t".join(_copy_value(v) for v in row))
        buf.write("\n")
        n += 1
    if not n:
        return 0
    buf.seek(0)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)
    return n


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
    procedures: list[dict] = field(default_factory=list)  # id, version_id, sector, level, days, fee, commune, agency_ids, weight
    user_id: int = 0


def build_catalogue(rng: random.Random, *, agencies: int, procedures: int, seed: int) -> Catalogue:
    """Agencies (a province, its departments and communes), sectors, published procedures."""
    from django.contrib.auth import get_user_model

    from procedures.models import Procedure, ProcedureVersion, Sector
    from procedures.services import procedure_snapshot

    tag = f"{seed % 100:02d}"
    province, _ = Agency.objects.get_or_create(code=f"000.00.00.G{tag}", defaults={"name": f"UBND tỉnh (sinh tự động {seed})", "level": AgencyLevel.PROVINCE})
    n_dep = max(1, min(25, agencies // 12))
    departments, communes = [], []
    for i in range(1, agencies):
        is_dep = i <= n_dep
        code = f"000.{(i // 100):02d}.{(i % 100):02d}.G{tag}"
        name = (f"Sở {SECTORS[(i - 1) % len(SECTORS)][0]}" if is_dep else f"UBND xã {GIVEN[i % len(GIVEN)]} {i}")
        a, _ = Agency.objects.get_or_create(code=code, defaults={
            "name": name, "level": AgencyLevel.DEPARTMENT if is_dep else AgencyLevel.COMMUNE, "parent": province,
            "receiving_code": f"G{tag}.{i:03d}",
        })
        (departments if is_dep else communes).append(a)
    sectors = []
    for i, (vi, en) in enumerate(SECTORS):
        s, _ = Sector.objects.get_or_create(code=f"GEN{tag}-{i:02d}", defaults={"name": vi, "name_en": en, "ordering": i})
        sectors.append(s)
    User = get_user_model()
    user = User.objects.filter(username=f"generator{tag}").first()
    if user is None:
        # The author of the generated supplement requests, apologies and history rows; no usable password.
        user = User.objects.create_user(username=f"generator{tag}", password=None, kind="staff", agency=province, full_name="Dữ liệu sinh tự động", is_active=False)
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
                code=code, name=f"{sector.name}: thủ tục {i + 1}", sector=sector, level=level, processing_time=Decimal(days),
                state="published", version=1, published_at=timezone.now(), agency_levels=["commune"] if commune else ["department"],
            )
            dep = departments[i % len(departments)]
            if not commune:
                p.agencies.add(dep)
            version = ProcedureVersion.objects.create(procedure=p, version=1, snapshot=procedure_snapshot(p))
        else:
            version = p.versions.order_by("-version").first()
            dep = departments[i % len(departments)]
        fee = rng.choice([0, 0, 0, 0, 20000, 50000, 100000]) if level >= 3 else 0
        cat.procedures.append({
            "id": p.pk, "version_id": version.pk, "level": p.level, "days": days, "fee": fee, "commune": commune,
            "agency": None if commune else dep, "weight": 1.0 / (i + 1) ** 0.9,
        })
    return cat


# --- dossiers ---------------------------------------------------------------------------------


DOSSIER_COLUMNS = [
    "id", "code", "procedure_id", "procedure_version_id", "receiving_agency_id", "handling_department_id", "applicant_id",
    "applicant_name", "applicant_citizen_id", "applicant_tax_code", "applicant_phone", "applicant_email", "applicant_address",
    "channel", "status", "stage", "form_data", "created_at", "updated_at", "submitted_at", "received_at", "counting_start", "due_at",
    "finished_at", "returned_at", "supplement_cycles", "paused_seconds", "paused_at", "resume_status", "resume_stage",
    "rescheduled_due_at", "assigned_to_id", "current_step_id", "timeliness", "result_file", "result_delivery", "fee_total", "paid_at",
    "rating", "rating_comment", "rated_at", "tracking_token",
]


class Generator:
    def __init__(self, *, dossiers: int, years: int, agencies: int, procedures: int, seed: int = 766, end: date | None = None,
                 progress: Callable[[str], Callable[[int, int], None]] | None = None) -> None:
        self.n, self.years, self.n_agencies, self.n_procedures, self.seed = dossiers, years, agencies, procedures, seed
        self.rng = random.Random(seed)
        self.end = end or (timezone.localdate() - timedelta(days=1))
        self.start = self.end.replace(year=self.end.year - years) + timedelta(days=1)
        self.progress = progress or (lambda label: (lambda done, total: None))
        self.cal = FastCalendar(workcalendar.get_calendar(None))
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()

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
        return datetime.combine(d, time(h, m, self.rng.randrange(60)), tzinfo=self.tz)

    def _work_time(self, d: date) -> datetime:
        hour = self.rng.uniform(7.0, 11.4) if self.rng.random() < 0.6 else self.rng.uniform(13.5, 16.9)
        return self._moment(d, hour)

    def run(self) -> dict[str, Any]:
        from .summary import rebuild_all

        timings: dict[str, float] = {}
        t0 = _time.monotonic()
        with transaction.atomic():
            cat = build_catalogue(self.rng, agencies=self.n_agencies, procedures=self.n_procedures, seed=self.seed)
            timings["catalogue_s"] = _time.monotonic() - t0
            t1 = _time.monotonic()
            counts = self._dossiers(cat)
            timings["dossiers_s"] = _time.monotonic() - t1
        t2 = _time.monotonic()
        rebuild_all(progress=self.progress("facts"))
        timings["summary_s"] = _time.monotonic() - t2
        with connection.cursor() as cur:
            for table in ("dossiers_dossier", "dashboards_dossierfact", "dashboards_proceduremonthstat", "dashboards_sectormonthstat",
                          "dashboards_agencymonthstat"):
                cur.execute(f"ANALYZE {table}")
        timings["total_s"] = _time.monotonic() - t0
        return {**counts, **timings}

    def _dossiers(self, cat: Catalogue) -> dict[str, int]:
        rng = self.rng
        days = self._working_days()
        # volume grows ~8 % a year, month weights, Tết is already absent (days off)
        weights = [MONTH_WEIGHT[d.month] * (1.08 ** (d.year - self.start.year)) for d in days]
        proc_cum = list(itertools.accumulate(p["weight"] for p in cat.procedures))
        commune_cum = list(itertools.accumulate(rng.uniform(0.3, 3.0) for _ in cat.communes))
        first_id = _reserve_ids(Dossier, self.n)
        show = self.progress("dossiers")
        from dossiers.models import DossierCodeCounter

        agency_ids = [a.pk for a in cat.communes + cat.departments]
        # continue the code sequences already issued (a second run, or real receptions)
        seq_per_agency_day: dict[tuple[int, date], int] = {
            (a, d): v for a, d, v in DossierCodeCounter.objects.filter(agency_id__in=agency_ids).values_list("agency_id", "date", "last_value")
        }
        totals = {"dossiers": 0, "supplement_requests": 0, "apologies": 0, "events": 0, "files": 0, "payments": 0}
        chunk = 20000
        tag = f"{self.seed % 100:02d}"
        for start in range(0, self.n, chunk):
            size = min(chunk, self.n - start)
            received_days = sorted(rng.choices(days, weights=weights, k=size))
            dossier_rows, sr_rows, ap_rows, ev_rows, file_rows, pay_rows = [], [], [], [], [], []
            for j, day in enumerate(received_days):
                pk = first_id + start + j
                p = rng.choices(cat.procedures, cum_weights=proc_cum)[0]
                agency = rng.choices(cat.communes, cum_weights=commune_cum)[0] if p["commune"] else p["agency"]
                self._one(pk, day, p, agency, cat, seq_per_agency_day, dossier_rows, sr_rows, ap_rows, ev_rows, file_rows, pay_rows, tag)
            copy_rows("dossiers_dossier", DOSSIER_COLUMNS, dossier_rows)
            copy_rows("dossiers_supplementrequest", ["dossier_id", "requested_by_id", "items", "reason", "during_processing", "requested_at",
                                                    "answered_at", "answered_by_id", "answer_comment"], sr_rows)
            copy_rows("dossiers_apology", ["dossier_id", "reason", "new_due_at", "created_by_id", "approved_by_id", "created_at", "sent_at"], ap_rows)
            copy_rows("dossiers_dossierevent", ["dossier_id", "seq", "action", "from_status", "to_status", "actor_id", "comment", "data",
                                               "step_timeliness", "created_at", "prev_hash", "hash"], ev_rows)
            copy_rows("dossiers_dossierfile", ["dossier_id", "document_id", "document_name", "file", "original_name", "content_type", "size",
                                              "sha256", "is_digitised", "is_supplement", "uploaded_by_id", "uploaded_at"], file_rows)
            copy_rows("payments_payment", ["dossier_id", "reference", "amount", "method", "status", "bank_code", "response_code",
                                          "receipt_number", "created_by_id", "created_at", "paid_at", "note", "callback_data"], pay_rows)
            totals["dossiers"] += len(dossier_rows)
            totals["supplement_requests"] += len(sr_rows)
            totals["apologies"] += len(ap_rows)
            totals["events"] += len(ev_rows)
            totals["files"] += len(file_rows)
            totals["payments"] += len(pay_rows)
            show(start + size, self.n)
        # codes are issued without gaps and never reused: the counters go on from here
        DossierCodeCounter.objects.filter(agency_id__in=agency_ids).delete()
        copy_rows(DossierCodeCounter._meta.db_table, ["agency_id", "date", "last_value"], ((a, d.isoformat(), v) for (a, d), v in seq_per_agency_day.items()))
        return totals

    def _one(self, pk: int, day: date, p: dict, agency: Agency, cat: Catalogue, seqs: dict, dossier_rows: list, sr_rows: list,
             ap_rows: list, ev_rows: list, file_rows: list, pay_rows: list, tag: str) -> None:
        rng, cal = self.rng, self.cal
        year_frac = (day - self.start).days / max(1, (self.end - self.start).days)
        online_p = (0.45 + 0.3 * year_frac) if p["level"] >= 3 else 0.0
        r = rng.random()
        channel = Channel.ONLINE if r < online_p else (Channel.POSTAL if r > 0.97 else Channel.IN_PERSON)
        received_at = self._work_time(day)
        submitted_at = received_at - timedelta(minutes=rng.randrange(5, 60 * 24 * 2)) if channel == Channel.ONLINE else received_at - timedelta(minutes=rng.randrange(1, 30))
        status, stage = DossierStatus.RECEIVED, Stage.ASSIGNMENT
        counting = due = finished = returned = rated_at = paused_at = None
        timeliness = rating = result_file = result_delivery = ""
        cycles = paused_seconds = 0
        resume_status = None
        resume_stage = ""
        closing: tuple[int, int, datetime, str] | None = None
        outcome = rng.random()
        if outcome < 0.012:  # refused at intake: never received
            status, stage = DossierStatus.NOT_RECEIVED, Stage.CLOSED
            closing = (DossierStatus.NEW, DossierStatus.NOT_RECEIVED, received_at, "refuse")
            received_at = None
        elif outcome < 0.018:  # withdrawn before reception
            status, stage = DossierStatus.WITHDRAWN, Stage.CLOSED
            closing = (DossierStatus.NEW, DossierStatus.WITHDRAWN, received_at, "withdraw")
            received_at = None
        code = None
        if received_at is not None:
            key = (agency.pk, day)
            seqs[key] = seqs.get(key, 0) + 1
            code = f"{agency.receiving_code or agency.code}-{day:%Y%m%d}-{seqs[key]:07d}"
            counting = received_at  # generated receptions happen inside working hours: the clock starts at once
            due = cal.due_at_working_days(counting, p["days"])
            budget = max(1, cal.working_seconds_between(counting, due))
            # supplements asked during processing (5-10 %), a few twice
            pauses: list[tuple[datetime, datetime]] = []
            if rng.random() < 0.075:
                n_req = 2 if rng.random() < 0.1 else 1
                at = cal.add_working_seconds(counting, int(budget * rng.uniform(0.1, 0.4)))
                for _ in range(n_req):
                    answered = cal.add_working_seconds(at, rng.randrange(3600, 5 * 28800))
                    pauses.append((at, answered))
                    at = cal.add_working_seconds(answered, rng.randrange(1800, 28800))
            for a, b in pauses:
                due = cal.add_working_seconds(due, cal.working_seconds_between(a, b))
                paused_seconds += int((b - a).total_seconds())
            cycles = len(pauses)
            # when the leader approves: mostly early, some on the due date, 3-8 % late
            fate = rng.random()
            late_p = 0.03 + 0.05 * (1 - year_frac) + (0.3 if cycles > 1 else 0)
            if fate < late_p:
                finished = cal.add_working_seconds(due, rng.randrange(1800, 10 * 28800))
            elif fate < late_p + 0.2:
                due_day_start = datetime.combine(timezone.localtime(due).date(), time(7, 0), tzinfo=self.tz)
                finished = due_day_start + (due - due_day_start) * rng.uniform(0.05, 0.95)
            else:
                finished = cal.add_working_seconds(counting, int(budget * rng.uniform(0.2, 0.85)))
            for a, b in pauses:  # processing cannot end inside a pause
                if a <= finished <= b:
                    finished = cal.add_working_seconds(b, 1800)
            if pauses and finished < pauses[-1][1]:
                finished = cal.add_working_seconds(pauses[-1][1], 3600)
            my_sr = [(pk, cat.user_id, [{"document": "Giấy tờ bổ sung", "reason": ""}], "Hồ sơ chưa đầy đủ", True, a, b, None, "") for a, b in pauses]
            stopper = rng.random()
            if stopper < 0.006:  # withdrawn while in progress
                closing_at = cal.add_working_seconds(counting, int(budget * rng.uniform(0.05, 0.5)))
                if closing_at < self.now:
                    status, stage = DossierStatus.WITHDRAWN, Stage.CLOSED
                    closing = (DossierStatus.IN_PROGRESS, DossierStatus.WITHDRAWN, closing_at, "withdraw")
                    finished = None
                    my_sr = [row for row in my_sr if row[5] < closing_at]
            elif stopper < 0.009:
                closing_at = cal.add_working_seconds(counting, int(budget * rng.uniform(0.05, 0.5)))
                if closing_at < self.now:
                    status, stage = DossierStatus.STOPPED, Stage.CLOSED
                    closing = (DossierStatus.IN_PROGRESS, DossierStatus.STOPPED, closing_at, "stop")
                    finished = None
                    my_sr = [row for row in my_sr if row[5] < closing_at]
            if closing is None and finished is not None and finished <= self.now:
                tl = workcalendar.timeliness(finished, due)
                timeliness = Timeliness[getattr(tl, "name", str(tl)).upper()].value
                status, stage = DossierStatus.PROCESSED, Stage.RESULT
                if timeliness == Timeliness.LATE and rng.random() < 0.7:
                    ap_at = due + timedelta(hours=rng.randrange(1, 20))
                    if ap_at < finished:
                        ap_rows.append((pk, "Hồ sơ cần xác minh thêm", finished + timedelta(days=1), cat.user_id, cat.user_id, ap_at, ap_at))
                if p["level"] == 4 and rng.random() < 0.6:
                    result_file = f"generated/{pk}.pdf"
                ret = cal.add_working_seconds(finished, rng.randrange(600, 3 * 28800))
                if ret <= self.now and rng.random() < 0.98:
                    returned = ret
                    status, stage = DossierStatus.RETURNED, Stage.CLOSED
                    result_delivery = "online" if result_file and channel == Channel.ONLINE else "counter"
                    if rng.random() < 0.35:
                        rated_at = returned + timedelta(hours=rng.randrange(1, 72))
                        if rated_at <= self.now:
                            bad = timeliness == Timeliness.LATE
                            rating = rng.choices([Rating.SATISFIED, Rating.ACCEPTABLE, Rating.NOT_SATISFIED],
                                                 [0.6, 0.25, 0.15] if bad else [0.86, 0.11, 0.03])[0]
                        else:
                            rated_at = None
            elif closing is None:  # still in progress today
                finished = None
                status, stage = DossierStatus.IN_PROGRESS, Stage.EXAMINATION
                open_pause = [pp for pp in pauses if pp[0] <= self.now < pp[1]]
                if open_pause:
                    status, stage = DossierStatus.SUPPLEMENT_REQUESTED, Stage.EXAMINATION
                    paused_at, resume_status, resume_stage = open_pause[0][0], DossierStatus.IN_PROGRESS, Stage.EXAMINATION
                    my_sr = [(*row[:6], None, None, "") if row[5] == paused_at else row for row in my_sr]
                my_sr = [row for row in my_sr if row[5] <= self.now]
            sr_rows.extend(my_sr)
        else:
            pauses = []
        fee = Decimal(p["fee"]) if received_at is not None else Decimal(0)
        paid_at = None
        if fee > 0 and channel == Channel.ONLINE and rng.random() < 0.7:
            paid_at = received_at + timedelta(minutes=rng.randrange(5, 600))
            pay_rows.append((pk, f"GEN{tag}-{pk}", fee, "online", "paid", "NCB", "00", f"GEN{tag}-{pk}", cat.user_id, paid_at, paid_at, "", {}))
        if received_at is not None and channel == Channel.IN_PERSON and rng.random() < 0.3 + 0.5 * year_frac:
            file_rows.append((pk, None, "Giấy tờ (bản quét)", f"generated/{pk}-scan.pdf", "scan.pdf", "application/pdf", 1024,
                              hashlib.sha256(str(pk).encode()).hexdigest(), True, False, cat.user_id, received_at))
        if closing is not None:
            from_status, to_status, at, action = closing
            e = DossierEvent(dossier_id=pk, seq=1, action=action, from_status=from_status, to_status=to_status, actor_id=cat.user_id,
                             comment="", data={}, step_timeliness="", created_at=at, prev_hash=GENESIS_HASH)
            e.hash = e.compute_hash()
            ev_rows.append((pk, 1, action, from_status, to_status, cat.user_id, "", {}, "", at, GENESIS_HASH, e.hash))
        name = f"{rng.choice(NAMES)} {rng.choice(GIVEN)}"
        created = submitted_at - timedelta(minutes=rng.randrange(1, 120))
        updated = max(x for x in (created, submitted_at, received_at, finished, returned, rated_at, closing[2] if closing else None) if x)
        dossier_rows.append((
            pk, code, p["id"], p["version_id"], agency.pk, agency.pk if received_at else None, None,
            name, f"0{rng.randrange(10**10, 10**11)}", "", f"09{rng.randrange(10**7, 10**8)}", "", "Tỉnh Điện Biên",
            channel, status, stage, {GENERATED_KEY: self.seed}, created, updated, submitted_at, received_at, counting, due,
            finished if status in (DossierStatus.PROCESSED, DossierStatus.RETURNED) else None, returned, cycles, paused_seconds,
            paused_at, resume_status, resume_stage, None, None, None, timeliness, result_file, result_delivery, fee, paid_at,
            rating, "", rated_at if rating else None, secrets.token_urlsafe(18),
        ))


def real_dossiers_exist() -> bool:
    """Any dossier the generator did not write."""
    return Dossier.objects.exclude(form_data__has_key=GENERATED_KEY).exists()
