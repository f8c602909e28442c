"""The month-end in-progress snapshots kept in the monthly counters: read instead of probing the
facts for a month that has ended, refreshed when a change to an old dossier alters them (here a
supplement answered in June moves the appointment date of a dossier received in April, so it
was not overdue at the end of April and May after all), extended when a month ends, and not
trusted when missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dashboards import selectors, summary
from dashboards.models import AgencyMonthStat, SummaryState
from dashboards.selectors import Filters, period_filters
from dossiers import services
from tests.dashboards.test_selectors import Province, at
from tests.dossiers.conftest import fill_supplement_slots

pytestmark = pytest.mark.django_db

APRIL, MAY, JUNE = (period_filters("month", date(2026, m, 1)) for m in (4, 5, 6))


def _no_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the figures probe the facts (they must come from the kept snapshot)."""

    def probe(*args, **kwargs):
        raise AssertionError("the facts were probed")

    from dashboards.summary import drilldown, groups, read

    for module in (read, groups, drilldown):
        for name in ("in_progress_counts", "in_progress_at"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, probe)


def _agree(filters: Filters) -> selectors.Figures:
    fast, direct = selectors.dashboard_figures(filters), selectors.direct_figures(filters)
    assert fast.comparable() == direct.comparable(), filters
    return fast


def _open(fig: selectors.Figures) -> tuple[int, int, int]:
    return fig.in_progress, fig.in_progress_on_time, fig.in_progress_overdue


@pytest.fixture
def late(db) -> tuple[Province, object]:
    """D: received Wed 1 April 2026 09:00 at A (due 8 April), supplements asked 2 April."""
    p = Province()
    with at(4, 1, 9):
        d = p.receive(p.a, p.proc_a, p.clerk_a)
    with at(4, 1, 10):
        d = services.dossier_assign(
            dossier=d, actor=p.clerk_a, department=p.division, assignee=p.specialist_a
        )
    with at(4, 2, 8):
        services.dossier_request_supplement(
            dossier=d,
            actor=p.specialist_a,
            items=[{"document": "Bản sao CCCD"}],
            reason="Thiếu giấy tờ",
        )
    with at(6, 1, 10):  # April and May have ended
        summary.refresh()
    return p, d


def test_a_change_to_an_old_dossier_refreshes_the_kept_month_ends(late, monkeypatch):
    p, d = late
    assert summary.open_ends_through() == date(2026, 5, 1)
    with at(6, 1, 11):
        with monkeypatch.context() as m:
            _no_probe(m)
            assert (
                _open(_agree(APRIL)) == _open(_agree(MAY)) == (1, 0, 1)
            )  # open, past its 8 April date
    row = AgencyMonthStat.objects.get(agency_id=p.a.pk, month=date(2026, 5, 1))
    assert (row.received, row.open_at_end, row.overdue_at_end) == (
        0,
        1,
        1,
    )  # May: no event, only the snapshot

    with at(6, 2, 8):  # answered: the two months' wait moves the appointment date to June
        fill_supplement_slots(d, p.citizen)
        services.dossier_answer_supplement(dossier=d, actor=p.citizen)
    with at(6, 2, 8, 30):
        stale = selectors.dashboard_figures(APRIL)
        assert (
            _open(stale) == (1, 0, 1) and selectors.direct_figures(APRIL).in_progress_overdue == 0
        )  # not refreshed yet
    with at(6, 2, 9):
        result = summary.refresh()
    assert result.dossiers == 1
    with at(6, 2, 10):
        with monkeypatch.context() as m:
            _no_probe(m)
            assert _open(_agree(APRIL)) == _open(_agree(MAY)) == (1, 1, 0)
            spring = Filters(start=date(2026, 3, 1), end=date(2026, 5, 31))
            series = summary.timeseries(spring, "month")
            assert [_open(f) for _s, f in series] == [(0, 0, 0), (1, 1, 0), (1, 1, 0)]
            rows = {
                r.key: r.figures
                for r in selectors.by_agency(replace(MAY, agency_ids=(p.province.pk,)))
            }
        assert _open(rows[p.a.pk]) == (1, 1, 0) and _open(rows[p.b.pk]) == (0, 0, 0)
        assert (
            rows[p.a.pk].comparable()
            == selectors.direct_figures(replace(MAY, agency_ids=(p.a.pk,))).comparable()
        )


def test_the_first_refresh_after_a_month_ends_keeps_that_month(late, monkeypatch):
    p, d = late
    with at(6, 29, 9):  # E: due 6 July
        e = p.receive(p.b, p.proc_b, p.clerk_b)
    with at(6, 29, 10):
        services.dossier_withdraw(dossier=d, actor=p.citizen, reason="Không cần nữa")
    with at(6, 30, 23):
        summary.refresh()
        assert summary.open_ends_through() == date(2026, 5, 1)
        assert _open(_agree(JUNE)) == (1, 1, 0)  # June has not ended: probed at "now"
    with at(7, 1, 0, 5):
        summary.refresh()  # nothing dirty: only the new month end
    assert summary.open_ends_through() == date(2026, 6, 1)
    assert AgencyMonthStat.objects.get(agency_id=p.b.pk, month=date(2026, 6, 1)).open_at_end == 1
    with at(7, 1, 9):
        with monkeypatch.context() as m:
            _no_probe(m)
            june = _agree(JUNE)
            _agree(replace(JUNE, agency_ids=(p.b.pk,)))
            _agree(replace(JUNE, sector_id=p.sector_a.pk))
        assert _open(june) == (1, 1, 0)  # E; D was withdrawn on 29 June
        [row] = [r for r in selectors.by_sector(JUNE) if r.key == p.sector_b.pk]
        assert _open(row.figures) == (1, 1, 0)
    assert e.pk != d.pk


def test_without_kept_month_ends_the_facts_are_probed(late, monkeypatch):
    SummaryState.objects.all().delete()
    AgencyMonthStat.objects.update(
        open_at_end=99, overdue_at_end=99
    )  # never read without the state row
    with at(6, 1, 11):
        assert (
            summary.stored_open_month(MAY, summary.read.timezone.now(), summary.open_ends_through())
            is None
        )
        assert _open(_agree(MAY)) == (1, 0, 1)
        summary.refresh()  # keeps every ended month again, from the first fact's
    assert summary.open_ends_through() == date(2026, 5, 1)
    assert set(
        AgencyMonthStat.objects.filter(month__lt=date(2026, 6, 1)).values_list(
            "open_at_end", flat=True
        )
    ) == {1}
    with at(6, 1, 12):
        with monkeypatch.context() as m:
            _no_probe(m)
            assert _open(_agree(MAY)) == (1, 0, 1)
