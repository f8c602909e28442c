# ruff: noqa: F811  (fixtures imported from dash_world: no shared conftest to collide on)
"""The Decision 766 index on hand-built figures whose right answers are worked out in the test.

Figures used below (one agency, one period)::

    received 200, online 80            -> online share 40%  -> 8 × 0.40/0.50 = 6.4
    resolved 100: early 30, on time 60, late 10 -> 90%       -> 20 × 0.90     = 18.0
    rated 50, "not satisfied" 5        -> 100% − (10% + 10%) = 80% -> 18 × 0.80/0.90 = 16.0
    e-results 40 of 100 returned       -> 8 × 0.40 = 3.2
    digitised 150 of 200 received      -> 8 × 0.75 = 6.0
    paid online 30 of 60 with fees     -> 10 × 0.50 = 5.0
    catalogue: 10 procedures, 8 published, 6 of them at level 3/4
                                        -> 6 × 0.8 = 4.8 ; 4 × 0.75 = 3.0
    no data: national-portal sync (6), petitions (6), reused data (6) -> maximum 100 − 18 = 82
    total 4.8 + 18 + 6.4 + 3.0 + 5.0 + 16.0 + 3.2 + 6.0 = 62.4 of 82 -> 76.10 on a 100 scale
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
    received=200, received_online=80, resolved=100, resolved_early=30, resolved_on_time=60, resolved_late=10,
    rated=50, rating_counts={"satisfied": 40, "acceptable": 5, "not_satisfied": 5},
    returned=100, e_results=40, digitised_dossiers=150, online_paid=30, payable=60,
)
CATALOGUE = CatalogueFigures(procedures=10, published=8, published_online=6)


def score(catalogue=CATALOGUE, **overrides):
    return compute(IndexInputs(figures(**{**BASE, **overrides}), catalogue))


def test_groups_and_components_add_up_to_100():
    assert [g.max_points for g in index766.GROUPS] == [18, 20, 12, 10, 18, 22]
    for g in index766.GROUPS:
        assert sum(c.max_points for c in index766.COMPONENTS if c.group == g.key) == g.max_points
    for c in index766.COMPONENTS:
        assert str(c.formula) and str(c.name) and 0 < c.threshold <= 1


def test_each_component_on_the_hand_built_figures():
    s = score()
    expected = {
        "published_procedures": 4.8, "resolved_on_time": 18.0, "online_share": 6.4, "online_procedures": 3.0,
        "online_paid": 5.0, "satisfaction": 16.0, "e_results": 3.2, "digitised_dossiers": 6.0,
    }
    for key, points in expected.items():
        assert s.component(key).points == pytest.approx(points), key
    assert s.component("satisfaction").value == pytest.approx(0.80)
    assert (s.component("online_share").numerator, s.component("online_share").denominator) == (80, 200)


def test_components_without_data_are_shown_and_left_out_of_the_maximum():
    s = score()
    for key in ("progress_synced", "feedback_handled", "reused_data"):
        c = s.component(key)
        assert not c.has_data and c.points is None and str(c.reason)
    assert s.max_available == 82
    assert s.total == pytest.approx(62.4)
    assert s.percent == pytest.approx(62.4 / 82 * 100)
    transparency = s.groups[0]
    assert (transparency.points, transparency.max_available, transparency.group.max_points) == (pytest.approx(4.8), 6, 18)


def test_threshold_caps_the_points():
    # 60% online is above the 50% threshold: the full 8 points, not 9.6
    assert score(received_online=120).component("online_share").points == pytest.approx(8.0)
    # 95% satisfaction (late 0, dislike 5%) is above 90%: the full 18
    assert score(resolved_early=40, resolved_late=0, rating_counts={"not_satisfied": 2}, rated=40).component("satisfaction").points == pytest.approx(18.0)


def test_satisfaction_formula_subtracts_late_and_dislike_and_never_goes_below_zero():
    s = score(resolved_early=0, resolved_on_time=20, resolved_late=80, rating_counts={"not_satisfied": 30}, rated=50)
    assert s.component("satisfaction").value == 0.0  # 100% − (80% + 60%) is floored at 0
    assert s.component("satisfaction").points == 0.0


def test_nothing_to_measure_is_not_a_zero():
    s = score(payable=0, online_paid=0, rated=0, rating_counts={})
    for key in ("online_paid", "satisfaction"):
        assert not s.component(key).has_data
    assert s.max_available == 82 - 10 - 18
    assert s.total == pytest.approx(62.4 - 5.0 - 16.0)


def test_empty_period_scores_nothing_and_invents_nothing():
    s = compute(IndexInputs(figures(), CatalogueFigures()))
    assert s.max_available == 0 and s.total == 0 and s.percent is None


def test_as_dict_carries_formula_threshold_and_figures():
    d = score().as_dict()
    online = next(c for g in d["groups"] for c in g["components"] if c["key"] == "online_share")
    assert online == {**online, "threshold": 0.5, "max_points": 8, "numerator": 80.0, "denominator": 200.0, "points": 6.4, "no_data": None}
    reused = next(c for g in d["groups"] for c in g["components"] if c["key"] == "reused_data")
    assert reused["points"] is None and reused["no_data"]
    assert d["total"] == 62.4 and d["max_available"] == 82


# --- on real dossiers: the small province of dash_world (right answers worked out here) -----------
#
# June 2026, whole province: received 6, 4 online (66.7% ≥ 50%: 8 of 8); resolved 2, one early and
# one late (50%: 10 of 20); returned 1 without an electronic result (0 of 8); digitised 0 of 6
# (0 of 8); no rating, no fee (satisfaction and payment left out); catalogue 2 procedures, both
# published at level 4 (6 of 6, 4 of 4). Total 28 of 6 + 20 + 12 + 16 = 54.
# Sở Tư pháp (A with its division): received 4, 3 online (8); resolved 1 early (20); returned 1
# (0); digitised 0 (0); catalogue 1 published level 4 (6 + 4): 38 of 54.
# The ranking scores each agency on its own dossiers and procedures: A alone received 3, 2 online
# (8), resolved 1 early (20), returned 1 (0), digitised 0 (0), its procedure (6 + 4): 38 of 54;
# its division A1: received 1 online (8), digitised 0 (0 of 8), catalogue (6 + 4): 18 of 26;
# Sở Xây dựng (B): received 2, 1 online (50%: 8); resolved 1 late (0 of 20); digitised 0 (0 of 8);
# catalogue (6 + 4): 18 of 46; the province's own agency has neither dossier nor procedure: unranked.


def test_index_for_the_province_and_one_agency(dash):
    june = period_filters("month", NOW.date())
    s = index766.index_for(june)
    # 54 + the 6 points of "digitised data reused", measured since the document store (0 reused: 0 points)
    assert (s.total, s.max_available) == (pytest.approx(28), 60)
    assert s.component("reused_data").has_data and s.component("reused_data").points == 0
    assert s.component("online_share").points == pytest.approx(8)
    assert s.component("resolved_on_time").value == pytest.approx(0.5)
    assert not s.component("satisfaction").has_data and not s.component("online_paid").has_data
    a = index766.index_for(period_filters("month", NOW.date(), agency_ids=(dash.a.pk,)))
    assert (a.total, a.max_available) == (pytest.approx(38), 60)
    assert index766.catalogue_figures(june) == CatalogueFigures(procedures=2, published=2, published_online=2)


def test_ranking_of_agencies(dash):
    ranking = reports.index_ranking(period_filters("month", NOW.date()))
    got = [(r.name, round(r.score.total, 2), r.score.max_available) for r in ranking]
    assert got == [
        ("Sở Tư pháp", 38, 54),
        ("Phòng Hành chính tư pháp", 18, 26),
        ("Sở Xây dựng", 18, 46),
    ]
    assert [r.rank for r in ranking] == [1, 2, 3]
