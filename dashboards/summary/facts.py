"""The dossier facts: one narrow row per dossier and the one rule (:func:`fact_events`) by which a fact counts toward the monthly counters."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from dossiers.constants import DossierStatus, Rating, Timeliness
from dossiers.models import Apology, Dossier, DossierEvent, DossierFile, SupplementRequest

from ..figures import (
    hours_bucket,
)
from ..metrics import CalendarCache, processing_seconds
from ..models import (
    DossierFact,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CLOSING = (DossierStatus.NOT_RECEIVED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED)
CLOSED_FIELD: dict[int, str] = {
    DossierStatus.NOT_RECEIVED: "refused",
    DossierStatus.WITHDRAWN: "withdrawn",
    DossierStatus.STOPPED: "stopped",
}
TIMELINESS_FIELD: dict[str, str] = {
    Timeliness.EARLY: "early",
    Timeliness.ON_TIME: "on_time",
    Timeliness.LATE: "late",
}
RATING_FIELD: dict[str, str] = {
    Rating.SATISFIED: "rated_satisfied",
    Rating.ACCEPTABLE: "rated_acceptable",
    Rating.NOT_SATISFIED: "rated_not_satisfied",
}
#: ``Rating.values`` once (Django computes the property on every access: ~30 us, per figure).
RATINGS = tuple(Rating.values)
#: Serialises refreshes (two workers recomputing the same month would collide).
LOCK_KEY = 766_0001


def to_us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


# --- facts ------------------------------------------------------------------------------------


def fact_values(
    *,
    dossier_id: int,
    agency_id: int,
    agency_path: str,
    sector_id: int,
    procedure_id: int,
    level: int,
    channel: int,
    status: int,
    received_at: datetime | None,
    counting_start: datetime | None,
    due_at: datetime | None,
    finished_at: datetime | None,
    timeliness: str,
    returned_at: datetime | None,
    rating: str,
    rated_at: datetime | None,
    result_file: str,
    fee_total: Any,
    closed_at: datetime | None,
    closed_status: int | None,
    supplement_ats: list[int],
    pauses: list[tuple[datetime, datetime]],
    apology_ats: list[int],
    digitised: bool,
    paid_online: bool,
    calendar: Any,
) -> tuple:
    """The fact of one dossier as a tuple in :data:`FACT_FIELDS` order: the one rule, used by
    :func:`build_facts` (from the database) and by the province generator (from the values it has
    just written, so a million facts need no read-back). ``closed_*``: the last history row that
    brought status 3 / 7 / 8; ``supplement_ats`` / ``apology_ats``: epoch microseconds of the
    requests and of the sent apologies; ``pauses``: the answered requests made during processing."""
    exit_at = None
    if received_at is not None:
        if finished_at is not None:
            exit_at = finished_at
        elif closed_status in (DossierStatus.WITHDRAWN, DossierStatus.STOPPED):
            exit_at = closed_at
        if exit_at is not None and exit_at < received_at:
            exit_at = received_at  # keeps the open interval valid (the index needs lower <= upper)
    proc = None
    if finished_at is not None:
        proc = processing_seconds(counting_start, finished_at, pauses, calendar)
    sups = sorted(supplement_ats) if len(supplement_ats) > 1 else list(supplement_ats)
    apos = sorted(apology_ats) if len(apology_ats) > 1 else list(apology_ats)
    first_at: datetime | None
    last_at: datetime | None
    if sups or apos:
        extra = sups + apos
        first_at, last_at = from_us(min(extra)), from_us(max(extra))
    else:
        first_at = last_at = None
    payable = (fee_total or 0) > 0
    return (
        dossier_id,
        agency_id,
        agency_path,
        sector_id,
        procedure_id,
        level,
        channel,
        status,
        received_at,
        due_at,
        finished_at,
        exit_at,
        timeliness or "",
        proc,
        returned_at,
        closed_at,
        closed_status,
        rating or "",
        rated_at if rating else None,
        sups,
        apos,
        first_at,
        last_at,
        digitised,
        bool(result_file),
        payable,
        payable and paid_online,
    )


def build_fact_rows(dossier_ids: Iterable[int], cals: CalendarCache | None = None) -> list[tuple]:
    """The current facts of these dossiers as :data:`FACT_FIELDS` tuples (drafts have none);
    ``cals``: the agencies' calendars, shared between batches."""
    ids = list(dossier_ids)
    if not ids:
        return []
    dossiers = list(
        Dossier.objects.filter(pk__in=ids)
        .exclude(status=DossierStatus.DRAFT)
        .values_list(
            "pk",
            "receiving_agency_id",
            "receiving_agency__path",
            "procedure__sector_id",
            "procedure_id",
            "procedure__level",
            "channel",
            "status",
            "received_at",
            "counting_start",
            "due_at",
            "finished_at",
            "timeliness",
            "returned_at",
            "rating",
            "rated_at",
            "result_file",
            "fee_total",
        )
    )
    ids = [d[0] for d in dossiers]
    closing: dict[int, tuple[datetime, int | None]] = {}
    for dossier_id, at, status in (
        DossierEvent.objects.filter(dossier_id__in=ids, to_status__in=CLOSING)
        .exclude(from_status=F("to_status"))
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "created_at", "to_status")
    ):
        closing[dossier_id] = (at, status)
    supplements: dict[int, list[int]] = defaultdict(list)
    pauses: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for dossier_id, at, during, answered in SupplementRequest.objects.filter(
        dossier_id__in=ids
    ).values_list("dossier_id", "requested_at", "during_processing", "answered_at"):
        supplements[dossier_id].append(to_us(at))
        if during and answered is not None:
            pauses[dossier_id].append((at, answered))
    apologies: dict[int, list[int]] = defaultdict(list)
    for dossier_id, sent_at in Apology.objects.filter(
        dossier_id__in=ids, sent_at__isnull=False
    ).values_list("dossier_id", "sent_at"):
        assert sent_at is not None  # filtered on sent_at__isnull=False
        apologies[dossier_id].append(to_us(sent_at))
    digitised = set(
        DossierFile.objects.filter(dossier_id__in=ids, is_digitised=True).values_list(
            "dossier_id", flat=True
        )
    )
    from dossiers.payments.constants import PaymentMethod, PaymentStatus
    from dossiers.payments.models import Payment

    paid_online = set(
        Payment.objects.filter(
            dossier_id__in=ids, method=PaymentMethod.ONLINE, status=PaymentStatus.PAID
        ).values_list("dossier_id", flat=True)
    )
    cals = cals or CalendarCache()
    rows = []
    for (
        pk,
        agency_id,
        path,
        sector_id,
        procedure_id,
        level,
        channel,
        status,
        received_at,
        counting_start,
        due_at,
        finished_at,
        timeliness,
        returned_at,
        rating,
        rated_at,
        result_file,
        fee_total,
    ) in dossiers:
        closed_at, closed_status = closing.get(pk, (None, None))
        rows.append(
            fact_values(
                dossier_id=pk,
                agency_id=agency_id,
                agency_path=path,
                sector_id=sector_id,
                procedure_id=procedure_id,
                level=level,
                channel=channel,
                status=status,
                received_at=received_at,
                counting_start=counting_start,
                due_at=due_at,
                finished_at=finished_at,
                timeliness=timeliness,
                returned_at=returned_at,
                rating=rating,
                rated_at=rated_at,
                result_file=result_file,
                fee_total=fee_total,
                closed_at=closed_at,
                closed_status=closed_status,
                supplement_ats=supplements.get(pk, []),
                pauses=pauses.get(pk, []),
                apology_ats=apologies.get(pk, []),
                digitised=pk in digitised,
                paid_online=pk in paid_online,
                calendar=cals(agency_id),
            )
        )
    return rows


def build_facts(dossier_ids: Iterable[int]) -> list[DossierFact]:
    """The current facts of these dossiers (drafts have none)."""
    return [
        DossierFact(**dict(zip(FACT_FIELDS, row, strict=True)))
        for row in build_fact_rows(dossier_ids)
    ]


FACT_FIELDS = [
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


@dataclass(frozen=True)
class FactRow:
    """The fields of a fact the counters read (a light tuple, not a model instance)."""

    agency_id: int
    agency_path: str
    sector_id: int
    procedure_id: int
    level: int
    channel: int
    received_at: datetime | None
    finished_at: datetime | None
    timeliness: str
    processing_seconds: int | None
    returned_at: datetime | None
    closed_at: datetime | None
    closed_status: int | None
    rating: str
    rated_at: datetime | None
    supplement_ats: list
    apology_ats: list
    digitised: bool
    e_result: bool
    payable: bool
    online_paid: bool


ROW_FIELDS = list(FactRow.__dataclass_fields__)


def fact_events(f: FactRow) -> Iterator[tuple[datetime, dict[str, int], int | None]]:
    """Each dated event of a fact with the counters it adds (and, for an approval, the whole
    working hours for the histogram). The one rule behind every counter."""
    if f.received_at is not None:
        c = {"received": 1, f"received_c{f.channel}": 1}
        if f.digitised:
            c["digitised"] = 1
        if f.payable:
            c["payable"] = 1
            if f.online_paid:
                c["online_paid"] = 1
        yield f.received_at, c, None
    if f.finished_at is not None:
        c = {"resolved": 1, "processing_seconds": f.processing_seconds or 0}
        if f.timeliness in TIMELINESS_FIELD:
            c[TIMELINESS_FIELD[f.timeliness]] = 1
        yield f.finished_at, c, hours_bucket(f.processing_seconds or 0)
    if f.returned_at is not None:
        yield (
            f.returned_at,
            ({"returned": 1, "e_results": 1} if f.e_result else {"returned": 1}),
            None,
        )
    if f.closed_at is not None and f.closed_status in CLOSED_FIELD:
        yield f.closed_at, {CLOSED_FIELD[f.closed_status]: 1}, None
    if f.rated_at is not None and f.rating:
        yield f.rated_at, {"rated": 1, RATING_FIELD[f.rating]: 1}, None
    for us in f.supplement_ats:
        yield from_us(us), {"supplement_requests": 1}, None
    for us in f.apology_ats:
        yield from_us(us), {"apologies": 1}, None


class Acc:
    """Counters plus a working-hours histogram."""

    __slots__ = ("c", "hist")

    def __init__(self) -> None:
        self.c: Counter[str] = Counter()
        self.hist: Counter[int] = Counter()

    def add(self, counters: dict[str, int], hours: int | None) -> None:
        self.c.update(counters)
        if hours is not None:
            self.hist[hours] += 1
