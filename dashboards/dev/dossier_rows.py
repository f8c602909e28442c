"""One generated dossier and its rows: the status it reached and its times (appointment dates by
the working-day calendar, moved by the supplement pauses), its supplement requests, apology,
scanned file, payment and closing history row, and its summary fact, written as COPY lines.

Split out of :mod:`dashboards.dev.generator` (issue 16: no module over 500 lines), whose
:class:`~dashboards.dev.generator.Generator` draws its dossiers through :class:`DossierRows`;
a development tool production code may not import (``.importlinter``).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dossiers.constants import Channel, DossierStatus, Rating, Stage, Timeliness
from dossiers.models import GENESIS_HASH, DossierEvent
from portal.workcalendar import services as workcalendar

from ..metrics import FastCalendar
from ..summary import FACT_FIELDS, fact_values, to_us
from . import bulkload
from .catalogue import GIVEN, NAMES, Catalogue

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


_ZERO = Decimal(0)
_NULL = "\\N"
_ADDRESS = "Tỉnh Điện Biên"
#: The fact line of :meth:`DossierRows._one` is written by position: it must follow this order.
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
        "dashboards.generator writes the fact line in the order of summary.FACT_FIELDS: update DossierRows._one (dashboards.dev.dossier_rows)."
    )


def _int_list(v: list[int]) -> str:
    return "[" + ",".join(map(str, v)) + "]" if v else "[]"


def _sha256_of_pk(pk: int) -> str:
    return hashlib.sha256(str(pk).encode()).hexdigest()


@dataclass
class RunContext:
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
class ChunkLines:
    """One chunk's COPY lines, per table."""

    dossiers: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    supplements: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)


class DossierRows:
    """How one dossier and its rows are drawn (:meth:`_one`), with the time helpers of the hot
    loop. :class:`dashboards.dev.generator.Generator` sets the attributes below."""

    rng: random.Random
    cal: FastCalendar
    tz: Any
    now: datetime
    ctx: RunContext
    _due: dict[tuple[date, int], tuple[datetime, int]]
    _timeliness: dict[Any, str]

    def _randrange(self, a: int, b: int) -> int:
        """Like ``rng.randrange(a, b)`` for the hot loop, ~5x cheaper (no rejection sampling)."""
        return a + int(self.rng.random() * (b - a))

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

    def _one(
        self, pk: int, day: date, p: dict, agency_id: int, out: ChunkLines, token: str
    ) -> None:
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
