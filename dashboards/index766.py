"""The service index of Decision 766/QĐ-TTg (Bộ chỉ số phục vụ người dân, doanh nghiệp), 100 points.

Six groups: transparency 18, progress 20, online service 12, online payment 10, satisfaction 18,
digitisation 22 (DESIGN.md §2). Each component is *data* (:data:`COMPONENTS`): its formula, the
threshold at which it earns full points, its maximum, and the figures it reads. Points grow linearly
from 0 to the maximum as the measured share goes from 0 to the threshold, and stay at the maximum
above it::

    points = max_points × min(1, value / threshold)

A component whose data the portal does not hold (``needs`` names a source we do not have yet), or
whose denominator is zero in the period, is shown as "chưa có dữ liệu / no data yet" and left out:
its points are taken out of the maximum too, so a group or total is ``points / max available``,
never a number made up for the missing part.

The split of a group's points between its components, where the decision's guidance weights more
than one indicator, is the portal's reading of it and lives only in :data:`COMPONENTS`.

Rules the figures already carry (they are the selectors' definitions, not recomputed here): on time
means finished no later than the appointment date with supplement waiting subtracted, and a dossier
with more than one supplement request counts as late; online means channel 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Rating value the applicant gives when displeased (dossiers.constants.Rating.NOT_SATISFIED).
NOT_SATISFIED = "not_satisfied"


@dataclass(frozen=True)
class Group:
    key: str
    name: Promise
    max_points: int


GROUPS: tuple[Group, ...] = (
    Group("transparency", _("Transparency (công khai, minh bạch)"), 18),
    Group("progress", _("Progress of resolution (tiến độ giải quyết)"), 20),
    Group("online", _("Online public service (dịch vụ trực tuyến)"), 12),
    Group("payment", _("Online payment (thanh toán trực tuyến)"), 10),
    Group("satisfaction", _("Satisfaction (mức độ hài lòng)"), 18),
    Group("digitisation", _("Digitisation (số hoá hồ sơ)"), 22),
)
GROUPS_BY_KEY = {g.key: g for g in GROUPS}


@dataclass(frozen=True)
class CatalogueFigures:
    """The procedures (thủ tục hành chính) the agencies in scope carry out, within the filters."""

    procedures: int = 0  # linked to an agency in scope, any state
    published: int = 0  # publicly announced (state published)
    published_online: int = 0  # published at level 3 or 4 (một phần / toàn trình)


@dataclass(frozen=True)
class IndexInputs:
    """What the index is computed from: the dashboard figures of one Filters and the catalogue."""

    figures: Any  # dashboards.selectors.Figures (duck-typed: only the named fields are read)
    catalogue: CatalogueFigures
    reuse: Any = None  # dossiers.document_store.ReuseFigures (received, reusing); None: not counted


Measure = Callable[[IndexInputs], "tuple[float, float] | None"]
"""Returns (numerator, denominator) of the share; ``None`` when the figures cannot tell."""


@dataclass(frozen=True)
class Component:
    key: str
    group: str
    name: Promise
    formula: Promise
    max_points: int
    threshold: float  # the share (0..1) at which the component earns its full points
    figures: tuple[str, ...]  # the fields behind it, shown next to the score
    measure: Measure | None = None  # None: the portal does not hold this data yet
    note: Promise | str = ""


def _ratio(num: str, den: str) -> Measure:
    def measure(inp: IndexInputs) -> tuple[float, float]:
        source = inp.catalogue if hasattr(inp.catalogue, num) else inp.figures
        return float(getattr(source, num)), float(getattr(source, den))

    return measure


def _sum_ratio(nums: Sequence[str], den: str) -> Measure:
    def measure(inp: IndexInputs) -> tuple[float, float]:
        return float(sum(getattr(inp.figures, n) for n in nums)), float(getattr(inp.figures, den))

    return measure


def _satisfaction(inp: IndexInputs) -> tuple[float, float] | None:
    """100% − (late% + dislike%) (Decision 766): late% of the resolved, dislike% of the ratings.

    Without any rating in the period the component has no data: a missing rating is not a
    satisfied applicant.
    """
    f = inp.figures
    if not f.rated:
        return None
    late_share = f.resolved_late / f.resolved if f.resolved else 0.0
    dislike_share = (f.rating_counts or {}).get(NOT_SATISFIED, 0) / f.rated
    return max(0.0, 1.0 - (late_share + dislike_share)), 1.0


COMPONENTS: tuple[Component, ...] = (
    # 1. Transparency — 18
    Component(
        "published_procedures", "transparency",
        _("Procedures publicly announced"),
        _("published procedures ÷ procedures the agencies carry out"),
        6, 1.0, ("published", "procedures"), _ratio("published", "procedures"),
    ),
    Component(
        "progress_synced", "transparency",
        _("Dossier progress published on the National Public Service Portal"),
        _("dossiers whose status is synchronised to the national portal ÷ dossiers received"),
        6, 1.0, ("received",), None, _("The portal does not synchronise with the national portal yet."),
    ),
    Component(
        "feedback_handled", "transparency",
        _("Feedback and petitions answered on time"),
        _("petitions answered on time ÷ petitions received"),
        6, 1.0, (), None, _("The portal does not receive petitions (phản ánh, kiến nghị) yet."),
    ),
    # 2. Progress — 20
    Component(
        "resolved_on_time", "progress",
        _("Dossiers resolved early or on time"),
        _("(resolved early + resolved on time) ÷ resolved; supplement waiting is not counted, "
          "more than one supplement request counts as late"),
        20, 1.0, ("resolved_early", "resolved_on_time", "resolved"),
        _sum_ratio(("resolved_early", "resolved_on_time"), "resolved"),
    ),
    # 3. Online service — 12
    Component(
        "online_share", "online",
        _("Dossiers submitted online"),
        _("dossiers received online (channel 2) ÷ dossiers received; full points at 50%"),
        8, 0.5, ("received_online", "received"), _ratio("received_online", "received"),
    ),
    Component(
        "online_procedures", "online",
        _("Procedures offered online (partly or fully)"),
        _("published procedures at level 3 or 4 (một phần / toàn trình) ÷ published procedures"),
        4, 1.0, ("published_online", "published"), _ratio("published_online", "published"),
    ),
    # 4. Online payment — 10
    Component(
        "online_paid", "payment",
        _("Fees paid online"),
        _("dossiers whose fees were paid online ÷ dossiers with fees"),
        10, 1.0, ("online_paid", "payable"), _ratio("online_paid", "payable"),
    ),
    # 5. Satisfaction — 18
    Component(
        "satisfaction", "satisfaction",
        _("Satisfaction"),
        _("100% − (late share of resolved + share of ratings 'not satisfied'); full points at 90%"),
        18, 0.9, ("resolved_late", "resolved", "rating_counts", "rated"), _satisfaction,
    ),
    # 6. Digitisation — 22
    Component(
        "e_results", "digitisation",
        _("Results issued electronically"),
        _("results returned electronically ÷ results returned"),
        8, 1.0, ("e_results", "returned"), _ratio("e_results", "returned"),
    ),
    Component(
        "digitised_dossiers", "digitisation",
        _("Dossiers digitised"),
        _("received dossiers whose papers were digitised ÷ received"),
        8, 1.0, ("digitised_dossiers", "received"), _ratio("digitised_dossiers", "received"),
    ),
    Component(
        "reused_data", "digitisation",
        _("Digitised data reused"),
        _("dossiers reusing digitised documents or data ÷ dossiers received"),
        6, 1.0, (), lambda inp: (inp.reuse.reusing, inp.reuse.received) if inp.reuse is not None else None,
        _("Documents reused from the citizen's store or earlier dossiers, and e-form data taken from the national e-ID."),
    ),
)

assert all(
    sum(c.max_points for c in COMPONENTS if c.group == g.key) == g.max_points for g in GROUPS
), "component points must add up to their group's"
assert sum(g.max_points for g in GROUPS) == 100


@dataclass
class ComponentScore:
    component: Component
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None  # the share, 0..1
    points: float | None = None
    reason: Promise | str = ""  # why there is no score

    @property
    def has_data(self) -> bool:
        return self.points is not None


@dataclass
class GroupScore:
    group: Group
    components: list[ComponentScore] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.components if c.points is not None)

    @property
    def max_available(self) -> int:
        return sum(c.component.max_points for c in self.components if c.has_data)

    @property
    def percent(self) -> float | None:
        return 100 * self.points / self.max_available if self.max_available else None


@dataclass
class Score:
    groups: list[GroupScore]

    @property
    def total(self) -> float:
        return sum(g.points for g in self.groups)

    @property
    def max_available(self) -> int:
        return sum(g.max_available for g in self.groups)

    @property
    def percent(self) -> float | None:
        """The total on a 100-point scale over the components that have data."""
        return 100 * self.total / self.max_available if self.max_available else None

    def component(self, key: str) -> ComponentScore:
        return next(c for g in self.groups for c in g.components if c.component.key == key)

    def as_dict(self) -> dict:
        return {
            "total": round(self.total, 2),
            "max_available": self.max_available,
            "percent": None if self.percent is None else round(self.percent, 2),
            "groups": [
                {
                    "key": g.group.key,
                    "name": str(g.group.name),
                    "max_points": g.group.max_points,
                    "max_available": g.max_available,
                    "points": round(g.points, 2),
                    "components": [
                        {
                            "key": c.component.key,
                            "name": str(c.component.name),
                            "formula": str(c.component.formula),
                            "threshold": c.component.threshold,
                            "max_points": c.component.max_points,
                            "numerator": c.numerator,
                            "denominator": c.denominator,
                            "value": None if c.value is None else round(c.value, 4),
                            "points": None if c.points is None else round(c.points, 2),
                            "no_data": str(c.reason) if not c.has_data else None,
                        }
                        for c in g.components
                    ],
                }
                for g in self.groups
            ],
        }


NO_DATA = _("no data yet")
NOTHING_TO_MEASURE = _("nothing to measure in this period")


def score_component(component: Component, inputs: IndexInputs) -> ComponentScore:
    if component.measure is None:
        return ComponentScore(component, reason=component.note or NO_DATA)
    measured = component.measure(inputs)
    if measured is None:
        return ComponentScore(component, reason=NO_DATA)
    num, den = measured
    if den <= 0:
        return ComponentScore(component, num, den, reason=NOTHING_TO_MEASURE)
    value = num / den
    points = component.max_points * min(1.0, value / component.threshold)
    return ComponentScore(component, num, den, value, points)


def compute(inputs: IndexInputs, components: Iterable[Component] = COMPONENTS) -> Score:
    """The index for one set of figures: every group and component, none invented."""
    by_group: dict[str, GroupScore] = {g.key: GroupScore(g) for g in GROUPS}
    for component in components:
        by_group[component.group].components.append(score_component(component, inputs))
    return Score([by_group[g.key] for g in GROUPS])


# --- catalogue figures (one query each) -------------------------------------------------------


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


def catalogue_by_agency(filters: Any, agencies: Sequence[Any], *, subtree: bool = False) -> dict[int, CatalogueFigures]:
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
        published_online=Count("pk", filter=published & Q(procedure__level__in=(ServiceLevel.LEVEL_3, ServiceLevel.LEVEL_4))),
    )
    totals = {a.pk: [0, 0, 0] for a in agencies}
    roots = [(a.pk, a.path) for a in agencies]
    for row in rows:
        path = row["agency__path"]
        targets = [pk for pk, root in roots if path == root or path.startswith(root + "/")] if subtree else [row["agency_id"]]
        for pk in targets:
            t = totals[pk]
            t[0] += row["procedures"]
            t[1] += row["published"]
            t[2] += row["published_online"]
    return {pk: CatalogueFigures(*t) for pk, t in totals.items()}


def index_for(filters: Any) -> Score:
    """The index for ``filters`` (the province, or the agencies it names)."""
    from dossiers.document_store import reuse_figures

    from . import selectors

    reuse = reuse_figures(start=filters.start, end=filters.end, agency_ids=filters.agency_ids)
    return compute(IndexInputs(selectors.dashboard_figures(filters), catalogue_figures(filters), reuse))
