"""Formatting of the dashboards' numbers: thousands with a dot (Vietnamese usage), shares in %,
"—" where a ratio has no denominator (never a made-up 0%)."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

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
    # one stdlib escape per value in an f-string: format_html per option (~700 on a province's
    # page: 300 agencies, 400 procedures) took ~40 ms of the page; the markup is the same
    value = form[name].value()
    current = "" if value is None else str(value)
    options = "".join(
        f'<option value="{escape(v)}"{" selected" if v == current else ""}>{escape(label)}</option>'
        for v, label in form.options(name)
    )
    name = escape(name)
    return mark_safe(
        f'<select name="{name}" id="id_{name}" class="form-select form-select-sm">{options}</select>'
    )  # noqa: S308 -- escaped above


AGENCY_LINKED = ("received", "received_online", "resolved", "resolved_late", "in_progress_overdue")


@register.simple_tag
def agency_rows(rows: list[dict], drill_url: str, query: str) -> SafeString:
    """The per-agency table's rows built in Python: a province has hundreds of agencies, and a
    template loop with a drill-down link in every cell costs more than the figures' queries."""
    # f-strings: format_html per cell (~5,000 calls for 300 agencies) cost ~100 ms of the page,
    # Django's conditional_escape per value ~15 ms more. The name is escaped; the figures are
    # num() / pct() of numbers (digits, separators, "%", "—": nothing to escape) and the id an int
    base = escape(f"{drill_url}?{query}&agency=")
    out = []
    for r in rows:
        aid = int(r["agency_id"])
        links = "".join(
            f'<td class="text-end"><a href="{base}{aid}&amp;metric={metric}">{num(r[metric])}</a></td>'
            for metric in AGENCY_LINKED
        )
        out.append(
            f'<tr data-agency="{aid}"><td>{escape(str(r["name"]))}</td>{links}'
            f'<td class="text-end">{pct(r["on_time_rate"])}</td><td class="text-end">{pct(r["online_share"])}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 -- every value above is escaped
