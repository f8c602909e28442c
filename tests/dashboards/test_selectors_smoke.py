"""The selectors' API runs end to end on a couple of dossiers (the full hand-built checks are in
test_selectors.py)."""

from datetime import date

import pytest
from django.utils import timezone

from dashboards import selectors, summary
from tests.factories.dossiers import DossierFactory

pytestmark = pytest.mark.django_db


def test_api_shapes():
    DossierFactory(received=True)
    DossierFactory(returned=True)
    summary.rebuild_all()
    today = timezone.localdate()
    f = selectors.period_filters("month", today)
    fig = selectors.dashboard_figures(f)
    assert fig.received == 2 and fig.resolved == 1 and fig.in_progress == 1
    assert selectors.direct_figures(f).comparable() == fig.comparable()
    assert [m for m in selectors.DRILLDOWN_METRICS if selectors.drilldown(f, m).count() < 0] == []
    assert selectors.drilldown(f, "received").count() == 2
    assert len(selectors.timeseries(selectors.period_filters("year", today))) == 12
    assert selectors.by_agency(f) and selectors.by_sector(f) and selectors.by_procedure(f)
    assert selectors.procedure_times(f)[0].resolved == 1
    assert f.previous().period_kind == "month" and f.previous().end < f.start


def test_previous_periods():
    assert selectors.period_filters("month", date(2026, 3, 15)).previous().start == date(2026, 2, 1)
    q = selectors.period_filters("quarter", date(2026, 2, 1)).previous()
    assert (q.start, q.end) == (date(2025, 10, 1), date(2025, 12, 31))
    y = selectors.period_filters("year", date(2026, 2, 1)).previous()
    assert (y.start, y.end) == (date(2025, 1, 1), date(2025, 12, 31))
    c = selectors.Filters(start=date(2026, 3, 10), end=date(2026, 3, 19)).previous()
    assert (c.start, c.end) == (date(2026, 2, 28), date(2026, 3, 9))
