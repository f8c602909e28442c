"""The dossier facts: one narrow row per dossier and the one rule (:func:`fact_events`) by which a fact counts toward the monthly counters."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from typing import Any

from django.db.models import F
from django.utils import timezone

from dossiers.constants import DossierStatus, Rating
from dossiers.models import Apology, Dossier, DossierEvent, DossierFile, SupplementRequest

from .. import registry
from ..figures import (
    hours_bucket,
)
from ..metrics import CalendarCache, processing_seconds
from ..models import (
    DossierFact,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CLOSING = (DossierStatus.NOT_RECEIVED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED)
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
    signed: bool = False,
) -> tuple[Any, ...]:
    """The fact of one dossier as a tuple in :data:`FACT_FIELDS` order: the one rule, used by
    :func:`build_facts` (from the database) and by the province generator (from the values it has
    just written, so a million facts need no read-back). ``closed_*``: the last history row that
    brought status 3 / 7 / 8; ``supplement_ats`` / ``apology_ats``: epoch microseconds of the
    requests and of the sent apologies; ``pauses``: the answered requests made during processing;
    ``signed``: a signed result is stored for the dossier (last in the tuple: one of
    :data:`RECORD_FACT_FIELDS`)."""
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
        signed,
    )


def build_fact_rows(
    dossier_ids: Iterable[int], cals: CalendarCache | None = None
) -> list[tuple[Any, ...]]:
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
    from signatures.models import SignedDocument

    signed = set(
        SignedDocument.objects.filter(dossier_id__in=ids)
        .exclude(sha256="")
        .values_list("dossier_id", flat=True)
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
                signed=pk in signed,
            )
        )
    return rows


def build_facts(dossier_ids: Iterable[int]) -> list[DossierFact]:
    """The current facts of these dossiers (drafts have none)."""
    return [
        DossierFact(**dict(zip(STORED_FACT_FIELDS, row, strict=True)))
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
#: Fact columns filled from other apps' records rather than from the dossier's own row (the
#: province generator, which writes :data:`FACT_FIELDS` by position, creates none of those
#: records and leaves them at their database default); :func:`fact_values` returns them last.
RECORD_FACT_FIELDS = ["signed"]
#: Every column of a fact as :func:`fact_values` returns it.
STORED_FACT_FIELDS = [*FACT_FIELDS, *RECORD_FACT_FIELDS]


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
    supplement_ats: list[Any]
    apology_ats: list[Any]
    digitised: bool
    e_result: bool
    payable: bool
    online_paid: bool
    signed: bool


ROW_FIELDS = list(FactRow.__dataclass_fields__)


def _test(key: str, value: Any) -> Callable[[Any], bool]:
    """A :class:`~dashboards.registry.Count` condition's lookup as a Python test of a fact."""
    column, _sep, op = key.partition("__")
    get = attrgetter(column)
    if op not in ("", *registry.LOOKUPS):
        raise ValueError(f"lookup {key!r} is not one of {registry.LOOKUPS}")
    if value is True or value is False:
        return (lambda f: bool(get(f))) if value else (lambda f: not get(f))
    if op == "gt":
        return lambda f: (v := get(f)) is not None and v > value
    if op == "lt":
        return lambda f: (v := get(f)) is not None and v < value
    if op == "in":
        values = frozenset(value)
        return lambda f: get(f) in values
    return lambda f: get(f) == value


def fact_test(fact: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A condition on the fact as one Python test (None: every fact meets it)."""
    tests = [_test(k, v) for k, v in fact.items()]
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda f: all(t(f) for t in tests)


def _plain(value: Any) -> Any:
    """A condition's constant as a plain literal (a choices member as its value)."""
    if isinstance(value, bool | type(None)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_plain(v) for v in value)
    raise ValueError(f"not a plain constant: {value!r}")


def _name(column: str) -> str:
    if not column.isidentifier():
        raise ValueError(f"not a column name: {column!r}")
    return column


def _test_source(fact: dict[str, Any]) -> str:
    """A :class:`~dashboards.registry.Count` condition as a Python expression over ``f``."""
    parts = []
    for key, value in fact.items():
        column, _sep, op = key.partition("__")
        if op not in ("", *registry.LOOKUPS):
            raise ValueError(f"lookup {key!r} is not one of {registry.LOOKUPS}")
        attr = f"f.{_name(column)}"
        if value is True or value is False:
            parts.append(attr if value else f"not {attr}")
        elif op in ("gt", "lt"):
            sign = ">" if op == "gt" else "<"
            parts.append(f"({attr} is not None and {attr} {sign} {_plain(value)!r})")
        elif op == "in":
            parts.append(f"{attr} in {_plain(value)!r}")
        else:
            parts.append(f"{attr} == {_plain(value)!r}")
    return " and ".join(parts)


def rule_source(counts: Iterable[registry.Count] | None = None) -> str:
    """The source of :func:`fact_events` generated from the registry's counting rules: per event
    kind of :data:`registry.EVENTS`, the counters its unconditional rules add, then each
    conditional one behind its test, then the sums; an event that adds to no counter is not
    yielded. Plain code, as a hand-written rule would be (a loop over compiled tests cost ~3x
    the CPU: ~0.55 s instead of ~0.19 s per 100,000 facts)."""
    counts = list(registry.COUNTS if counts is None else counts)
    lines = ["def fact_events(f):"]
    for name, event in registry.EVENTS.items():
        mine = [c for c in counts if c.event == name]
        if not mine:
            continue
        always = [c for c in mine if c.value is None and not c.fact]
        tested = [c for c in mine if c.value is None and c.fact]
        sums = [c for c in mine if c.value is not None]
        lines.append(f"    at = f.{_name(event.column)}")
        lines.append("    if at:" if event.many else "    if at is not None:")
        items = [f"{_name(c.column)!r}: 1" for c in always]
        items += [f"{_name(c.column)!r}: f.{_name(c.value or '')} or 0" for c in sums]
        lines.append(f"        c = {{{', '.join(items)}}}")
        for c in tested:
            lines.append(f"        if {_test_source(c.fact)}:")
            lines.append(f"            c[{_name(c.column)!r}] = 1")
        indent = "        "
        if not always and not sums:
            lines.append("        if c:")
            indent += "    "
        if event.many:
            lines.append(f"{indent}for us in at:")
            lines.append(f"{indent}    yield from_us(us), c, None")
        elif event.hours:
            lines.append(f"{indent}yield at, c, hours_bucket(f.processing_seconds or 0)")
        else:
            lines.append(f"{indent}yield at, c, None")
    if len(lines) == 1:
        lines.append("    yield from ()")
    return "\n".join(lines) + "\n"


def compile_rule(counts: Iterable[registry.Count] | None = None) -> Callable[..., Any]:
    """:func:`rule_source` compiled (the registry's rules are code constants, no user input)."""
    namespace: dict[str, Any] = {"from_us": from_us, "hours_bucket": hours_bucket}
    exec(compile(rule_source(counts), "<dashboards.registry rules>", "exec"), namespace)  # noqa: S102
    rule: Callable[..., Any] = namespace["fact_events"]
    return rule


_fact_events = compile_rule()


def fact_events(f: FactRow) -> Iterator[tuple[datetime, dict[str, int], int | None]]:
    """Each dated event of a fact with the counters it adds (and, for an approval, the whole
    working hours for the histogram): the registry's counting rules (:data:`registry.COUNTS`),
    as generated by :func:`rule_source` (an event that adds to no counter is not one: a closing
    row of another status, a rating left empty). The counters' dict is shared by the elements of
    a list event: read it, do not change it."""
    events: Iterator[tuple[datetime, dict[str, int], int | None]] = _fact_events(f)
    return events


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
