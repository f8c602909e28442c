"""The service index of Decision 766/QĐ-TTg (Bộ chỉ số phục vụ người dân, doanh nghiệp), 100 points.

Six groups: transparency 18, progress 20, online service 12, online payment 10, satisfaction 18,
digitisation 22 (DESIGN.md §2). Each component is *data* (:data:`COMPONENTS`): its formula, the
threshold at which it earns full points, its maximum, and the figures it reads. Points grow linearly
from 0 to the maximum as the measured share goes from 0 to the threshold, and stay at the maximum
above it::

    points = max_points × min(1, value / threshold)

A component whose data the portal does not hold (``needs`` names a source we do not have yet), or
whose denominator is zero in the period, is shown as "no data yet" (chưa có dữ liệu) and left out:
its points are taken out of the maximum too, so a group or total is ``points / max available``,
never a number made up for the missing part.

The split of a group's points between its components, where the decision's guidance weights more
than one indicator, is the portal's reading of it and lives only in :data:`COMPONENTS`.

How the national method computes the components (Decision 766/QĐ-TTg of 23/6/2022 and its
guidance, as DESIGN.md §2 and issue 15 state them; the guidance's own text could not be found in our
sources, see docs/regulations.md):

* progress: on time = (finished early or on time + open dossiers still within their deadline at
  the period's end) ÷ (all dossiers finished in the period + open at its end); supplement waiting
  is subtracted (``timeliness`` and ``due_at`` already carry it) and a dossier with more than one
  supplement request is late whatever its dates (:class:`ProgressFigures`);
* level 3/4 procedures over **all** procedures in the agencies' competence, and the digitisation
  components, earn full points at 80%;
* satisfaction = 100% − (late share + share of **all** dossiers with a complaint or a "not
  satisfied" rating); feedback and petitions (PAKN) belong to the satisfaction group;
* transparency is what the decision measures (decisions announcing procedures on time, published
  on the national database, with all their parts, dossier progress published): data the portal
  does not hold yet, shown as "no data".

This module holds the components and their scoring; the database queries for the figures they
read are in :mod:`dashboards.index766_queries`, and :mod:`dashboards.index766` re-exports both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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
class ProgressFigures:
    """The corrections of Decision 766's progress indicator that the dashboard figures lack:
    dossiers counted early / on time (finished, or open within their deadline at the period's end)
    although they had more than one supplement request — the method counts them late."""

    repeat_supplement_finished_ok: int = 0
    repeat_supplement_open_ok: int = 0
    #: average time (seconds, counting start to finish) per dossier resolved in the period, per
    #: procedure id; shown on the page with the procedure's name, not scored (docs/regulations.md)
    average_seconds_by_procedure: dict[int, float] = field(default_factory=dict)
    procedure_names: dict[int, str] = field(default_factory=dict)

    def averages(self, limit: int = 10) -> list[tuple[str, float]]:
        """(procedure name, average days) of the slowest ``limit`` procedures."""
        rows = sorted(self.average_seconds_by_procedure.items(), key=lambda kv: -kv[1])[:limit]
        return [(self.procedure_names.get(pk, str(pk)), seconds / 86400) for pk, seconds in rows]


@dataclass(frozen=True)
class IndexInputs:
    """What the index is computed from: the dashboard figures of one Filters and the catalogue."""

    figures: Any  # dashboards.selectors.Figures (duck-typed: only the named fields are read)
    catalogue: CatalogueFigures
    progress: ProgressFigures = field(default_factory=ProgressFigures)
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


def _on_time(inp: IndexInputs) -> tuple[float, float]:
    """Decision 766, progress: (finished early or on time + open within the deadline at the
    period's end − those of them with more than one supplement request) ÷ (finished + open)."""
    f, p = inp.figures, inp.progress
    ok = f.resolved_early + f.resolved_on_time + f.in_progress_on_time
    ok -= p.repeat_supplement_finished_ok + p.repeat_supplement_open_ok
    return float(max(0, ok)), float(f.resolved + f.in_progress)


def _satisfaction(inp: IndexInputs) -> tuple[float, float] | None:
    """Decision 766, satisfaction: 100% − (late share + share of all dossiers with a complaint or
    a "not satisfied" rating), both over the dossiers finished in the period or open at its end
    (the progress denominator), not over the rated ones only. Complaints (PAKN) are not held by
    the portal: only the ratings count, and the PAKN component says "no data"."""
    num, den = _on_time(inp)
    if den <= 0:
        return None
    late_share = 1.0 - num / den
    dislike_share = (inp.figures.rating_counts or {}).get(NOT_SATISFIED, 0) / den
    return max(0.0, 1.0 - (late_share + dislike_share)), 1.0


COMPONENTS: tuple[Component, ...] = (
    # 1. Transparency — 18: what Decision 766 measures; none of it is held by the portal yet
    Component(
        "announced_on_time",
        "transparency",
        _("Decisions announcing procedures issued on time"),
        _("decisions announcing procedures issued on time ÷ decisions due"),
        4,
        1.0,
        (),
        None,
        _("The portal does not hold the announcing decisions (quyết định công bố) yet."),
    ),
    Component(
        "national_database",
        "transparency",
        _("Procedures published on the national database"),
        _(
            "procedures published on the National Database of Administrative Procedures ÷ procedures announced"
        ),
        4,
        1.0,
        (),
        None,
        _("The portal does not synchronise with the national database yet."),
    ),
    Component(
        "complete_parts",
        "transparency",
        _("Procedures published with all their parts"),
        _(
            "procedures published with every component (steps, papers, time, fees, forms) ÷ procedures published"
        ),
        4,
        1.0,
        (),
        None,
        _("The national database's record is not held by the portal yet."),
    ),
    Component(
        "progress_synced",
        "transparency",
        _("Dossier progress published on the National Public Service Portal"),
        _("dossiers whose status is synchronised to the national portal ÷ dossiers received"),
        6,
        1.0,
        ("received",),
        None,
        _("The portal does not synchronise with the national portal yet."),
    ),
    # 2. Progress — 20
    Component(
        "resolved_on_time",
        "progress",
        _("Dossiers resolved on time"),
        _(
            "(finished early or on time + open within the deadline at the period's end) ÷ (finished + open); "
            "supplement waiting is not counted, more than one supplement request counts as late"
        ),
        20,
        1.0,
        ("resolved_early", "resolved_on_time", "in_progress_on_time", "resolved", "in_progress"),
        _on_time,
    ),
    # 3. Online service — 12
    Component(
        "online_share",
        "online",
        _("Dossiers submitted online"),
        _("dossiers received online (channel 2) ÷ dossiers received; full points at 50%"),
        8,
        0.5,
        ("received_online", "received"),
        _ratio("received_online", "received"),
    ),
    Component(
        "online_procedures",
        "online",
        _("Procedures offered online (partly or fully)"),
        _(
            "procedures at level 3 or 4 (partly or fully online) ÷ all procedures in the agencies' competence; full points at 80%"
        ),
        4,
        0.8,
        ("published_online", "procedures"),
        _ratio("published_online", "procedures"),
    ),
    # 4. Online payment — 10
    Component(
        "online_paid",
        "payment",
        _("Fees paid online"),
        _("dossiers whose fees were paid online ÷ dossiers with fees"),
        10,
        1.0,
        ("online_paid", "payable"),
        _ratio("online_paid", "payable"),
    ),
    # 5. Satisfaction — 18
    Component(
        "satisfaction",
        "satisfaction",
        _("Satisfaction"),
        _(
            "100% − (late share + share of all dossiers with a complaint or a 'not satisfied' rating); full points at 90%"
        ),
        12,
        0.9,
        ("resolved", "in_progress", "rating_counts"),
        _satisfaction,
    ),
    Component(
        "feedback_handled",
        "satisfaction",
        _("Feedback and petitions answered on time"),
        _("feedback and petitions (PAKN) answered on time ÷ received"),
        6,
        1.0,
        (),
        None,
        _("The portal does not receive petitions (phản ánh, kiến nghị) yet."),
    ),
    # 6. Digitisation — 22, full points at 80%
    Component(
        "e_results",
        "digitisation",
        _("Results issued electronically"),
        _("results returned electronically ÷ results returned; full points at 80%"),
        8,
        0.8,
        ("e_results", "returned"),
        _ratio("e_results", "returned"),
    ),
    Component(
        "digitised_dossiers",
        "digitisation",
        _("Dossiers digitised"),
        _("received dossiers whose papers were digitised ÷ received; full points at 80%"),
        8,
        0.8,
        ("digitised_dossiers", "received"),
        _ratio("digitised_dossiers", "received"),
    ),
    Component(
        "reused_data",
        "digitisation",
        _("Digitised data reused"),
        _("dossiers reusing digitised documents or data ÷ dossiers received; full points at 80%"),
        6,
        0.8,
        (),
        lambda inp: (inp.reuse.reusing, inp.reuse.received) if inp.reuse is not None else None,
        _(
            "Documents reused from the citizen's store or earlier dossiers, and e-form data taken from the national e-ID."
        ),
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
    progress: ProgressFigures | None = None

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
    return Score([by_group[g.key] for g in GROUPS], progress=inputs.progress)
