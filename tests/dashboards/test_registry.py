# ruff: noqa: F811  (the fixtures dash/june_morning are imported from dash_world)
"""The metric registry (issue 16): every figure is one entry with all its parts, and what is
derived from it (the counters' reading, the drill-down lists, the direct querysets, the page's
and exports' rows) agrees with the figures themselves."""

from __future__ import annotations

from dataclasses import fields

import pytest
from django.utils import timezone, translation

from dashboards import registry, reports, selectors, summary
from dashboards.figures import Figures
from dashboards.models import COUNTER_FIELDS, SectorMonthStat
from dashboards.selectors import period_filters
from tests.dashboards.dash_world import dash, june_morning  # noqa: F401

#: Figures fields that are not one figure: structured parts and the notes.
NOT_METRICS = {
    "received_by_channel",
    "received_by_level",
    "rating_counts",
    "processing_seconds",
    "notes",
}


def _missing_parts(m: registry.Metric) -> list[str]:
    """What an entry lacks (empty: complete)."""
    stat_columns = {f.name for f in SectorMonthStat._meta.get_fields()}
    missing = []
    with translation.override("en"):
        english = str(m.label)
    with translation.override("vi"):
        vietnamese = str(m.label)
    if not english or vietnamese == english:
        missing.append("label in vi and en")
    if m.source not in ("counters", "snapshot", "linked"):
        missing.append("source")
    if m.source == "counters":
        if not m.counters or not set(m.counters) <= stat_columns & set(COUNTER_FIELDS):
            missing.append("counter columns")
        if not m.event:
            missing.append("how a fact counts toward it")
        if m.direct is None:
            missing.append("direct computation / drill-down")
    elif m.source == "snapshot" and m.direct is None:
        missing.append("direct computation / drill-down")
    return missing


def test_every_figure_has_one_entry_and_every_entry_all_its_parts():
    names = [m.name for m in registry.METRICS]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in fields(Figures)} - NOT_METRICS
    assert {m.name: _missing_parts(m) for m in registry.METRICS if _missing_parts(m)} == {}
    # every counter column is read into some figure
    claimed = set(registry.STRUCTURED_COUNTERS)
    for m in registry.METRICS:
        claimed |= set(m.counters)
    assert claimed == set(COUNTER_FIELDS)
    # the page / exports / report rows are the registry's, in its order, then the ratios
    rows = [r.key for r in reports.FIGURE_ROWS if r.kind != reports.PERCENT]
    assert rows == names
    assert set(registry.DRILLDOWN_METRICS) == {m.name for m in registry.METRICS if m.drill}
    assert set(registry.METRIC_COUNTER) <= set(registry.DRILLDOWN_METRICS)


def test_a_missing_part_is_caught():
    label = registry.BY_NAME["received"].label
    assert _missing_parts(registry.Metric("x", label, counters=("nope",))) == [
        "counter columns",
        "how a fact counts toward it",
        "direct computation / drill-down",
    ]
    assert _missing_parts(registry.Metric("x", "untranslated", source="linked")) == [
        "label in vi and en"
    ]


@pytest.mark.django_db
def test_each_drilldown_lists_exactly_its_figure(dash):
    year = period_filters("year", timezone.localdate())
    fig = selectors.dashboard_figures(year)
    direct = selectors.direct_figures(year)
    assert fig.comparable() == direct.comparable()
    for name in registry.DRILLDOWN_METRICS:
        expected = getattr(fig, name)
        assert selectors.drilldown(year, name).count() == expected, name
        page = summary.drilldown_page(year, name, limit=100)
        assert page.total == expected and len(page.rows) == expected, name
        assert summary.metric_total(year, name) == expected, name
