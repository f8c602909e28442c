"""The per-agency table rows built in Python: every value escaped, one drill-down link per figure."""

from __future__ import annotations

from dashboards.templatetags.dashboards_tags import AGENCY_LINKED, agency_rows


def test_agency_rows_escape_names_and_link_every_figure():
    rows = [{"agency_id": 7, "name": 'UBND <xã> & "A"', "received": 12345, "received_online": 3, "resolved": None,
             "resolved_late": 0, "in_progress_overdue": 2, "on_time_rate": 0.5, "online_share": None}]
    html = agency_rows(rows, "/thong-ke/chi-tiet/", "period=month&year=2026&month=10")
    assert html.startswith('<tr data-agency="7"><td>UBND &lt;xã&gt; &amp; &quot;A&quot;</td>')
    assert "<xã>" not in html
    for metric in AGENCY_LINKED:
        assert f'href="/thong-ke/chi-tiet/?period=month&amp;year=2026&amp;month=10&amp;agency=7&amp;metric={metric}"' in html
    assert ">12.345</a>" in html and ">—</a>" in html  # thousands with a dot; no figure is a dash, not 0
    assert html.endswith('<td class="text-end">50.0%</td><td class="text-end">—</td></tr>')
    assert agency_rows(rows * 2, "/x/", "a=1").count("\n") == 1
