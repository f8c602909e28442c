"""Formatting of the dashboards' numbers: thousands with a dot (Vietnamese usage), shares in %,
"—" where a ratio has no denominator (never a made-up 0%)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()
DASH = "—"


@register.filter
def num(value: Any) -> str:
    if value is None or value == "":
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", "\u202f")
    return f"{int(value):,}".replace(",", ".")


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    if value is None:
        return DASH
    return f"{100 * float(value):.{int(digits)}f}%"


@register.filter
def pts(value: Any) -> str:
    if value is None:
        return DASH
    return f"{float(value):.2f}"


@register.filter
def signed(value: Any) -> str:
    if value is None:
        return ""
    return f"{float(value):+.1f}"


@register.filter
def kpi_value(kpi: Any) -> str:
    return pct(kpi.value) if kpi.metric.kind == "percent" else num(kpi.value)


@register.filter
def kpi_previous(kpi: Any) -> str:
    return pct(kpi.previous) if kpi.metric.kind == "percent" else num(kpi.previous)


@register.simple_tag
def select(form: Any, name: str) -> SafeString:
    """A filter select rendered in Python (hundreds of agencies or procedures stay cheap)."""
    value = form[name].value()
    current = "" if value is None else str(value)
    options = format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((v, " selected" if v == current else "", label) for v, label in form.options(name)),
    )
    return format_html('<select name="{}" id="id_{}" class="form-select form-select-sm">{}</select>', name, name, options)


AGENCY_LINKED = ("received", "received_online", "resolved", "resolved_late", "in_progress_overdue")


@register.simple_tag
def agency_rows(rows: list[dict], drill_url: str, query: str) -> SafeString:
    """The per-agency table's rows built in Python: a province has hundreds of agencies, and a
    template loop with a drill-down link in every cell costs more than the figures' queries."""
    base = f"{drill_url}?{query}&agency="

    def cells(r: dict) -> Any:
        yield format_html("<td>{}</td>", r["name"])
        for metric in AGENCY_LINKED:
            yield format_html('<td class="text-end"><a href="{}{}&amp;metric={}">{}</a></td>', base, r["agency_id"], metric, num(r[metric]))
        yield format_html('<td class="text-end">{}</td><td class="text-end">{}</td>', pct(r["on_time_rate"]), pct(r["online_share"]))

    return format_html_join(
        "\n", '<tr data-agency="{}">{}</tr>', ((r["agency_id"], format_html_join("", "{}", ((c,) for c in cells(r)))) for r in rows)
    )
