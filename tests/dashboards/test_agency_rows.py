"""The per-agency table rows built in Python: every value escaped, one drill-down link per figure."""

from __future__ import annotations

from dashboards.templatetags.dashboards_tags import AGENCY_LINKED, agency_rows, select


def test_agency_rows_escape_names_and_link_every_figure():
    rows = [
        {
            "agency_id": 7,
            "name": 'UBND <xã> & "A"',
            "received": 12345,
            "received_online": 3,
            "resolved": None,
            "resolved_late": 0,
            "in_progress_overdue": 2,
            "on_time_rate": 0.5,
            "online_share": None,
        }
    ]
    html = agency_rows(rows, "/thong-ke/chi-tiet/", "period=month&year=2026&month=10")
    assert html.startswith('<tr data-agency="7"><td>UBND &lt;xã&gt; &amp; &quot;A&quot;</td>')
    assert "<xã>" not in html
    for metric in AGENCY_LINKED:
        assert (
            f'href="/thong-ke/chi-tiet/?period=month&amp;year=2026&amp;month=10&amp;agency=7&amp;metric={metric}"'
            in html
        )
    assert (
        ">12.345</a>" in html and ">—</a>" in html
    )  # thousands with a dot; no figure is a dash, not 0
    assert html.endswith('<td class="text-end">50.0%</td><td class="text-end">—</td></tr>')
    assert agency_rows(rows * 2, "/x/", "a=1").count("\n") == 1


class _Field:
    def __init__(self, value: object) -> None:
        self._value = value

    def value(self) -> object:
        return self._value


class _Form:
    """What the select tag reads of the filter form: the current value and the (value, label) pairs."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __getitem__(self, name: str) -> _Field:
        return _Field(self.value)

    def options(self, name: str) -> list[tuple[str, str]]:
        return [("", "Tất cả"), ("3", 'Sở <Tư pháp> & "B"'), ("12", "UBND xã 'Mường'")]


def test_filter_select_escapes_labels_and_marks_the_current_value():
    html = select(_Form(12), "agency")
    assert html == (
        '<select name="agency" id="id_agency" class="form-select form-select-sm"><option value="">Tất cả</option>'
        '<option value="3">Sở &lt;Tư pháp&gt; &amp; &quot;B&quot;</option>'
        '<option value="12" selected>UBND xã &#x27;Mường&#x27;</option></select>'
    )
    assert 'value="" selected' in select(_Form(None), "agency")
