"""The figures the Decision 766/QĐ-TTg index reads that the dashboard summary does not hold: the
catalogue (one query each) and the progress correction for dossiers with more than one supplement
request (see :mod:`dashboards.index766_scoring` for how they are scored)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q

from .index766_scoring import CatalogueFigures, IndexInputs, ProgressFigures, Score, compute


def _procedure_filter(filters: Any, prefix: str = "") -> Q:
    q = Q()
    if getattr(filters, "sector_id", None):
        q &= Q(**{f"{prefix}sector_id": filters.sector_id})
    if getattr(filters, "procedure_id", None):
        q &= Q(**{f"{prefix}pk" if not prefix else f"{prefix}id": filters.procedure_id})
    if getattr(filters, "level", None):
        q &= Q(**{f"{prefix}level": filters.level})
    return q


def catalogue_figures(filters: Any) -> CatalogueFigures:
    """Distinct procedures carried out by the agencies of ``filters`` (their subtrees), one query."""
    from procedures.constants import PublicationState, ServiceLevel
    from procedures.models import Procedure

    qs = Procedure.objects.filter(_procedure_filter(filters))
    if filters.agency_ids:
        from portal.agencies.models import Agency

        roots = Agency.objects.filter(pk__in=filters.agency_ids).values_list("path", flat=True)
        q = Q()
        for path in roots:
            q |= Q(agencies__path=path) | Q(agencies__path__startswith=path + "/")
        qs = qs.filter(q) if q else qs.none()
    published = Q(state=PublicationState.PUBLISHED)
    online = published & Q(level__in=(ServiceLevel.LEVEL_3, ServiceLevel.LEVEL_4))
    agg = qs.aggregate(
        procedures=Count("pk", distinct=True),
        published=Count("pk", filter=published, distinct=True),
        published_online=Count("pk", filter=online, distinct=True),
    )
    return CatalogueFigures(**agg)


def catalogue_by_agency(
    filters: Any, agencies: Sequence[Any], *, subtree: bool = False
) -> dict[int, CatalogueFigures]:
    """Per agency of ``agencies``, the catalogue figures of the procedures linked to it — one query.

    With ``subtree`` the links of its sub-units count too (rolled up in Python over the agencies'
    paths), so a procedure two communes carry out counts twice for their parent: a share, not a
    catalogue size, is what the index reads. The ranking uses each agency's own links, as the
    figures it ranks are each agency's own dossiers.
    """
    from procedures.constants import PublicationState, ServiceLevel
    from procedures.models import Procedure

    Link = Procedure.agencies.through
    published = Q(procedure__state=PublicationState.PUBLISHED)
    links = Link.objects.filter(_procedure_filter(filters, "procedure__"))
    if not subtree:
        links = links.filter(agency_id__in=[a.pk for a in agencies])
    rows = links.values("agency_id", "agency__path").annotate(
        procedures=Count("pk"),
        published=Count("pk", filter=published),
        published_online=Count(
            "pk",
            filter=published & Q(procedure__level__in=(ServiceLevel.LEVEL_3, ServiceLevel.LEVEL_4)),
        ),
    )
    totals = {a.pk: [0, 0, 0] for a in agencies}
    roots = [(a.pk, a.path) for a in agencies]
    for row in rows:
        path = row["agency__path"]
        targets = (
            [pk for pk, root in roots if path == root or path.startswith(root + "/")]
            if subtree
            else [row["agency_id"]]
        )
        for pk in targets:
            t = totals[pk]
            t[0] += row["procedures"]
            t[1] += row["published"]
            t[2] += row["published_online"]
    return {pk: CatalogueFigures(*t) for pk, t in totals.items()}


def _repeat_supplement_ok(filters: Any, now: Any, group: str | None) -> dict[Any, tuple[int, int]]:
    """(finished early / on time, open within the deadline) of the dossiers with more than one
    supplement request, per ``group`` column (``None``: one total under the key ``None``) — two
    counts on the dossiers table."""
    from django.utils import timezone

    from dossiers.constants import DossierStatus

    from . import selectors

    a, b = filters.bounds()
    moment = min(b, now or timezone.now())
    base = selectors.scoped_dossiers(filters).filter(supplement_cycles__gt=1)
    finished = base.filter(
        finished_at__gte=a, finished_at__lt=b, timeliness__in=("early", "on_time")
    )
    still_open = (
        base.filter(received_at__lt=moment, due_at__gte=moment)
        .exclude(finished_at__lt=moment)
        .exclude(
            status__in=(DossierStatus.WITHDRAWN, DossierStatus.STOPPED, DossierStatus.NOT_RECEIVED)
        )
    )
    if group is None:
        return {None: (finished.count(), still_open.count())}
    out: dict[Any, list[int]] = {}
    for i, qs in enumerate((finished, still_open)):
        for key, n in qs.values_list(group).annotate(n=Count("pk")).values_list(group, "n"):
            out.setdefault(key, [0, 0])[i] += n
    return {key: (f, o) for key, (f, o) in out.items()}


def progress_figures(filters: Any, *, now: Any = None) -> ProgressFigures:
    """The dossiers the dashboard counts early / on time but Decision 766 counts late (more than
    one supplement request): finished in the period, or open at its end within their deadline —
    two counts on the dossiers table, plus the average working time per procedure."""
    from django.db.models import Avg, F

    from . import selectors

    a, b = filters.bounds()
    finished_ok, open_ok = _repeat_supplement_ok(filters, now, None)[None]
    rows = list(
        selectors.scoped_dossiers(filters)
        .filter(finished_at__gte=a, finished_at__lt=b, counting_start__isnull=False)
        .values("procedure_id", "procedure__name")
        .annotate(avg=Avg(F("finished_at") - F("counting_start")))
        .values_list("procedure_id", "procedure__name", "avg")
    )
    return ProgressFigures(
        repeat_supplement_finished_ok=finished_ok,
        repeat_supplement_open_ok=open_ok,
        average_seconds_by_procedure={
            pk: avg.total_seconds() for pk, _name, avg in rows if avg is not None
        },
        procedure_names={pk: name for pk, name, _avg in rows},
    )


def progress_by_agency(filters: Any, *, now: Any = None) -> dict[int, ProgressFigures]:
    """:func:`progress_figures`' correction per receiving agency (each agency's own dossiers, as
    the ranking's figures are): Decision 766/QĐ-TTg counts a dossier with more than one
    supplement request late, in the ranking as in the agency's own index. Two grouped counts."""
    return {
        pk: ProgressFigures(repeat_supplement_finished_ok=f, repeat_supplement_open_ok=o)
        for pk, (f, o) in _repeat_supplement_ok(filters, now, "receiving_agency_id").items()
    }


def index_for(filters: Any, *, now: Any = None) -> Score:
    """The index for ``filters`` (the province, or the agencies it names)."""
    from dossiers.document_store import reuse_figures

    from . import selectors

    reuse = reuse_figures(start=filters.start, end=filters.end, agency_ids=filters.agency_ids)
    return compute(
        IndexInputs(
            selectors.dashboard_figures(filters),
            catalogue_figures(filters),
            progress_figures(filters, now=now),
            reuse,
        )
    )
