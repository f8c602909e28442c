# ruff: noqa: F811  (fixtures imported from dash_world: no shared conftest to collide on)
"""The Decision 766 index on hand-built figures whose right answers are worked out in the test.

The method (Decision 766/QĐ-TTg of 23/6/2022 and its guidance as DESIGN.md §2 and issue 15 state
them; docs/regulations.md): on time = (finished on time + open within the deadline at the period's
end) ÷ (finished + open), more than one supplement request = late; level 3/4 over all procedures
in competence and digitisation at full points from 80%; satisfaction = 100% − (late share + share
of all dossiers with a complaint or dislike); PAKN in satisfaction; transparency = the decision's
components (no data in the portal).

Figures used below (one agency, one period, no open dossier)::

    received 200, online 80            -> online share 40%  -> 8 × 0.40/0.50 = 6.4
    resolved 100: early 30, on time 60, late 10 -> 90%       -> 20 × 0.90     = 18.0
    "not satisfied" 5 of the 100 dossiers -> 100% − (10% + 5%) = 85% -> 12 × 0.85/0.90 = 11.333
    e-results 40 of 100 returned       -> 8 × 0.40/0.80 = 4.0
    digitised 150 of 200 received      -> 8 × 0.75/0.80 = 7.5
    paid online 30 of 60 with fees     -> 10 × 0.50 = 5.0
    catalogue: 10 procedures in competence, 6 at level 3/4 -> 60% -> 4 × 0.60/0.80 = 3.0
    no data: transparency (18), petitions (6), reused data (6) -> maximum 100 − 30 = 70
    total 18 + 6.4 + 3.0 + 5.0 + 11.333 + 4.0 + 7.5 = 55.233 of 70
"""

from __future__ import annotations

import dataclasses

import pytest

from dashboards import index766, reports
from dashboards.index766 import CatalogueFigures, IndexInputs, compute
from dashboards.selectors import Figures, period_filters
from tests.dashboards.dash_world import NOW, dash, june_morning  # noqa: F401


def figures(**values) -> Figures:
    """A Figures with every field zero (or empty) except those given."""
    kwargs = {}
    for f in dataclasses.fields(Figures):
        if f.name in values:
            kwargs[f.name] = values[f.name]
        elif f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        else:
            kwargs[f.name] = {} if "dict" in str(f.type) else (None if "None" in str(f.type) else 0)
    return Figures(**kwargs)


BASE = dict(
    received=200,
    received_online=80,
    resolved=100,
    resolved_early=30,
    resolved_on_time=60,
    resolved_late=10,
    rated=50,
    rating_counts={"satisfied": 40, "acceptable": 5, "not_satisfied": 5},
    returned=100,
    e_results=40,
    digitised_dossiers=150,
    online_paid=30,
    payable=60,
)
CATALOGUE = CatalogueFigures(procedures=10, published=8, published_online=6)


def score(catalogue=CATALOGUE, progress=None, **overrides):
    return compute(
        IndexInputs(
            figures(**{**BASE, **overrides}), catalogue, progress or index766.ProgressFigures()
        )
    )


def test_groups_and_components_add_up_to_100():
    assert [g.max_points for g in index766.GROUPS] == [18, 20, 12, 10, 18, 22]
    for g in index766.GROUPS:
        assert sum(c.max_points for c in index766.COMPONENTS if c.group == g.key) == g.max_points
    for c in index766.COMPONENTS:
        assert str(c.formula) and str(c.name) and 0 < c.threshold <= 1


def test_each_component_on_the_hand_built_figures():
    s = score()
    expected = {
        "resolved_on_time": 18.0,
        "online_share": 6.4,
        "online_procedures": 3.0,
        "online_paid": 5.0,
        "satisfaction": 12 * 0.85 / 0.9,
        "e_results": 4.0,
        "digitised_dossiers": 7.5,
    }
    for key, points in expected.items():
        assert s.component(key).points == pytest.approx(points), key
    assert s.component("satisfaction").value == pytest.approx(0.85)
    assert (s.component("online_share").numerator, s.component("online_share").denominator) == (
        80,
        200,
    )


def test_components_without_data_are_shown_and_left_out_of_the_maximum():
    s = score()
    for key in (
        "announced_on_time",
        "national_database",
        "complete_parts",
        "progress_synced",
        "feedback_handled",
        "reused_data",
    ):
        c = s.component(key)
        assert not c.has_data and c.points is None and str(c.reason)
    assert s.max_available == 70
    total = 18 + 6.4 + 3.0 + 5.0 + 12 * 0.85 / 0.9 + 4.0 + 7.5
    assert s.total == pytest.approx(total)
    assert s.percent == pytest.approx(total / 70 * 100)
    transparency = s.groups[0]
    assert (transparency.points, transparency.max_available, transparency.group.max_points) == (
        0,
        0,
        18,
    )
    # the "published procedures" indicator is not in Decision 766; PAKN sits in satisfaction
    keys = {c.key: c.group for c in index766.COMPONENTS}
    assert "published_procedures" not in keys and keys["feedback_handled"] == "satisfaction"


def test_threshold_caps_the_points():
    # 60% online is above the 50% threshold: the full 8 points, not 9.6
    assert score(received_online=120).component("online_share").points == pytest.approx(8.0)
    # 95% satisfaction (late 0, dislike 5 of 100) is above 90%: the full 12
    assert score(
        resolved_early=40, resolved_late=0, rating_counts={"not_satisfied": 5}, rated=40
    ).component("satisfaction").points == pytest.approx(12.0)
    # level 3/4 and digitisation: 80% is enough for the full points (not 100%)
    assert score(
        catalogue=CatalogueFigures(procedures=10, published=8, published_online=8)
    ).component("online_procedures").points == pytest.approx(4.0)
    assert score(e_results=80).component("e_results").points == pytest.approx(8.0)


def test_satisfaction_formula_subtracts_late_and_dislike_and_never_goes_below_zero():
    s = score(
        resolved_early=0,
        resolved_on_time=20,
        resolved_late=80,
        rating_counts={"not_satisfied": 30},
        rated=50,
    )
    assert s.component("satisfaction").value == pytest.approx(
        0.0
    )  # 100% − (80% + 30%) is floored at 0
    assert s.component("satisfaction").points == 0.0


def test_nothing_to_measure_is_not_a_zero():
    s = score(
        payable=0, online_paid=0, resolved=0, resolved_early=0, resolved_on_time=0, resolved_late=0
    )
    for key in ("online_paid", "satisfaction", "resolved_on_time"):
        assert not s.component(key).has_data  # nothing finished or open: nothing to measure
    assert s.max_available == 70 - 10 - 12 - 20


def test_empty_period_scores_nothing_and_invents_nothing():
    s = compute(IndexInputs(figures(), CatalogueFigures()))
    assert s.max_available == 0 and s.total == 0 and s.percent is None


def test_as_dict_carries_formula_threshold_and_figures():
    d = score().as_dict()
    online = next(c for g in d["groups"] for c in g["components"] if c["key"] == "online_share")
    assert online == {
        **online,
        "threshold": 0.5,
        "max_points": 8,
        "numerator": 80.0,
        "denominator": 200.0,
        "points": 6.4,
        "no_data": None,
    }
    reused = next(c for g in d["groups"] for c in g["components"] if c["key"] == "reused_data")
    assert reused["points"] is None and reused["no_data"]
    assert (
        d["total"] == round(18 + 6.4 + 3.0 + 5.0 + 12 * 0.85 / 0.9 + 4.0 + 7.5, 2)
        and d["max_available"] == 70
    )


# --- on real dossiers: the small province of dash_world (right answers worked out here) -----------
#
# 9 June 2026 09:00 (the period's end is later: open dossiers are measured now). Whole province:
# received 6, 4 online (66.7% ≥ 50%: 8 of 8); finished 2 (one early, one late) and open 4 (three
# within the deadline, one overdue): on time (1 + 3) ÷ 6 = 66.7% -> 13.333 of 20; level 3/4: both
# procedures (4 of 4); satisfaction 100% − (33.3% late + 0% dislike) = 66.7% -> 12 × 0.667/0.9 =
# 8.889 of 12; returned 1 without an electronic result (0 of 8); digitised 0 of 6 (0 of 8); no fee
# (payment left out); transparency and PAKN no data; reused data 0 of 6 (0 reused). Total 34.222 of
# 20 + 12 + 12 + 16 + 6 = 66.
# Sở Tư pháp (A with its division): received 4, 3 online (8); finished 1 early, open 3 (one
# overdue): 3 ÷ 4 = 75% -> 15; level 4 (4); satisfaction 75% -> 10; 0 + 0: 37 of 60.
# Ranking, each agency on its own dossiers and procedures: A alone: received 3, 2 online (8);
# finished 1 early, open 2 (one overdue): 2 ÷ 3 -> 13.333; level 4 (4); satisfaction 66.7% ->
# 8.889; 0 + 0: 34.222 of 60. Its division A1: received 1 online (8), open 1 in time (20), level 4
# (4), satisfaction 100% (12), digitised 0 of 1 (0 of 8): 44 of 52. Sở Xây dựng (B): received 2,
# 1 online (8); finished 1 late, open 1 in time: 50% (10); level 4 (4); satisfaction 50% -> 6.667;
# digitised 0: 28.667 of 52.


def test_index_for_the_province_and_one_agency(dash):
    june = period_filters("month", NOW.date())
    s = index766.index_for(june)
    # + the 6 points of "digitised data reused", measured since the document store (0 reused: 0 points)
    assert (s.total, s.max_available) == (pytest.approx(34.2222, abs=1e-3), 66)
    assert s.component("reused_data").has_data and s.component("reused_data").points == 0
    assert s.component("online_share").points == pytest.approx(8)
    assert s.component("resolved_on_time").value == pytest.approx(4 / 6)
    assert s.component("satisfaction").value == pytest.approx(4 / 6)
    assert not s.component("online_paid").has_data
    a = index766.index_for(period_filters("month", NOW.date(), agency_ids=(dash.a.pk,)))
    assert (a.total, a.max_available) == (pytest.approx(37), 66)
    assert index766.catalogue_figures(june) == CatalogueFigures(
        procedures=2, published=2, published_online=2
    )


def test_ranking_of_agencies(dash):
    ranking = reports.index_ranking(period_filters("month", NOW.date()))
    got = [(r.name, round(r.score.total, 2), r.score.max_available) for r in ranking]
    assert got == [
        ("Phòng Hành chính tư pháp", 44, 52),
        ("Sở Tư pháp", 34.22, 60),
        ("Sở Xây dựng", 28.67, 52),
    ]
    assert [r.rank for r in ranking] == [1, 2, 3]


def test_hand_computed_case_differs_from_the_old_formula():
    """A small period worked out by hand with the guidance's method (Decision 766; DESIGN.md §2):

    10 dossiers: 6 finished (3 early, 1 on time, 2 late) — one of the early ones had two
    supplement requests — and 4 open at the period's end (3 within the deadline, 1 overdue);
    2 ratings, 1 of them "not satisfied".

    * progress, the method: (3 − 1 + 1 + 3) ÷ (6 + 4) = 60% -> 20 × 0.60 = 12.0 points
      (the old formula: (3 + 1) ÷ 6 = 66.7% -> 13.33, leaving the open dossiers out and the
      twice-supplemented one early);
    * satisfaction, the method: 100% − (40% late + 1 ÷ 10 dislike) = 50% -> 12 × 0.50/0.90 = 6.667
      (the old formula: 100% − (2/6 + 1/2) = 16.7% over the rated dossiers only).
    """
    inputs = IndexInputs(
        figures(
            resolved=6,
            resolved_early=3,
            resolved_on_time=1,
            resolved_late=2,
            in_progress=4,
            in_progress_on_time=3,
            in_progress_overdue=1,
            rated=2,
            rating_counts={"not_satisfied": 1, "satisfied": 1},
        ),
        CatalogueFigures(),
        index766.ProgressFigures(repeat_supplement_finished_ok=1),
    )
    s = compute(inputs)
    assert s.component("resolved_on_time").value == pytest.approx(0.6)
    assert s.component("resolved_on_time").points == pytest.approx(12.0)
    assert s.component("satisfaction").value == pytest.approx(0.5)
    assert s.component("satisfaction").points == pytest.approx(12 * 0.5 / 0.9)
    assert s.component("resolved_on_time").points != pytest.approx(20 * 4 / 6)  # not today's answer


def test_a_dossier_with_two_supplement_requests_counts_late(dash):
    """More than one supplement request = late (Decision 766), whatever its dates: on the real
    dossiers, the open in-time dossier of B asked twice drops out of the on-time numerator."""
    from dossiers.models import Dossier

    Dossier.objects.filter(pk=dash.dossiers["b_progress"].pk).update(supplement_cycles=2)
    june = period_filters("month", NOW.date(), agency_ids=(dash.b.pk,))
    progress = index766.progress_figures(june)
    assert (progress.repeat_supplement_finished_ok, progress.repeat_supplement_open_ok) == (0, 1)
    s = index766.index_for(june)
    assert s.component("resolved_on_time").value == pytest.approx(
        0.0
    )  # late + twice-supplemented: 0 of 2


def test_the_ranking_counts_a_twice_supplemented_dossier_late(dash):
    """Decision 766/QĐ-TTg and its guidance (DESIGN.md §2, docs/regulations.md): a dossier with
    more than one supplement request counts as late — in the per-agency ranking too, not only in
    the province's or one agency's index.

    Hand-computed: Phòng Hành chính tư pháp (A1) has one dossier, open within its deadline, asked
    twice for supplements. Before: on time 1 ÷ 1 (20 points), satisfaction 100% (12), online 8,
    level 4 (4), digitised 0 of 8: 44 of 52. With the correction: on time (1 − 1) ÷ 1 = 0% (0
    points), satisfaction 100% − (100% late + 0) = 0% (0): 8 + 4 = 12 of 52 — ranked last, below
    Sở Tư pháp (34.22) and Sở Xây dựng (28.67), whose figures do not change."""
    from dossiers.models import Dossier

    Dossier.objects.filter(pk=dash.dossiers["a1_progress"].pk).update(supplement_cycles=2)
    june = period_filters("month", NOW.date())
    assert index766.progress_by_agency(june) == {
        dash.a1.pk: index766.ProgressFigures(repeat_supplement_open_ok=1)
    }
    ranking = reports.index_ranking(june)
    got = [(r.name, round(r.score.total, 2), r.score.max_available) for r in ranking]
    assert got == [
        ("Sở Tư pháp", 34.22, 60),
        ("Sở Xây dựng", 28.67, 52),
        ("Phòng Hành chính tư pháp", 12, 52),
    ]
    a1 = next(r for r in ranking if r.agency_id == dash.a1.pk).score
    assert a1.component("resolved_on_time").value == pytest.approx(0.0)
    assert a1.component("satisfaction").value == pytest.approx(0.0)
