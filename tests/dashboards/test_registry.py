# ruff: noqa: F811  (the fixtures dash/june_morning are imported from dash_world)
"""The metric registry (issue 16): every figure is one entry with all its parts, and what is
derived from it (the counters' reading, the drill-down lists, the direct querysets, the page's
and exports' rows) agrees with the figures themselves."""

from __future__ import annotations

import dataclasses
from dataclasses import fields

import pytest
from django.db import connection
from django.utils import timezone, translation

from dashboards import registry, reports, selectors, summary
from dashboards.figures import Figures
from dashboards.models import (
    COUNTER_FIELDS,
    DossierFact,
    ProcedureMonthStat,
    ProcedureTimeMonth,
    SectorMonthStat,
)
from dashboards.selectors import period_filters
from dashboards.summary import rebuild_sql
from tests.dashboards.dash_world import dash, june_morning  # noqa: F401

#: Figures fields that are not one figure: structured parts and the notes.
NOT_METRICS = {
    "received_by_channel",
    "received_by_level",
    "rating_counts",
    "processing_seconds",
    "notes",
}


FACT_COLUMNS = {f.name for f in DossierFact._meta.get_fields()}


def _rule_faults(c: registry.Count) -> list[str]:
    """What is wrong with a counting rule (empty: the Python rule, the SQL and the ORM can all be
    generated from it)."""
    faults = []
    if c.column not in COUNTER_FIELDS:
        faults.append("counter column")
    if c.event not in registry.EVENTS:
        faults.append("event")
    for key in c.fact:
        column, _sep, op = key.partition("__")
        if column not in FACT_COLUMNS or column not in summary.ROW_FIELDS:
            faults.append(f"fact column {column}")
        if op and op not in registry.LOOKUPS:
            faults.append(f"lookup {op}")
    if c.value is not None and c.value not in summary.ROW_FIELDS:
        faults.append(f"summed column {c.value}")
    return faults


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
        if m.event not in registry.EVENTS or m.count is None or _rule_faults(m.count):
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
    # every counter column is read into some figure, and counted by exactly one rule
    claimed = set(registry.STRUCTURED_COUNTERS)
    for m in registry.METRICS:
        claimed |= set(m.counters)
    assert claimed == set(COUNTER_FIELDS)
    ruled = [c.column for c in registry.COUNTS]
    assert sorted(ruled) == sorted(COUNTER_FIELDS)
    assert {c.column: _rule_faults(c) for c in registry.COUNTS if _rule_faults(c)} == {}
    for m in registry.METRICS:  # a metric's own counter is counted where its drill-down looks
        if m.count is not None:
            assert m.count in registry.COUNTS, m.name
    # every event's fact columns exist (the moments, read by the Python rule; a list event's
    # span, by the SQL and the window of a refresh)
    for event in registry.EVENTS.values():
        assert event.column in FACT_COLUMNS & set(summary.ROW_FIELDS)
        assert set(event.span or ()) <= FACT_COLUMNS
        assert event.many == (event.span is not None)
    assert sum(e.hours for e in registry.EVENTS.values()) == 1
    # the page / exports / report rows are the registry's, in its order, then the ratios
    rows = [r.key for r in reports.FIGURE_ROWS if r.kind != reports.PERCENT]
    assert rows == names
    assert set(registry.DRILLDOWN_METRICS) == {m.name for m in registry.METRICS if m.drill}
    assert set(registry.METRIC_COUNTER) <= set(registry.DRILLDOWN_METRICS)


def test_a_missing_part_is_caught(monkeypatch):
    label = registry.BY_NAME["received"].label
    assert _missing_parts(registry.Metric("x", label, counters=("nope",))) == [
        "counter columns",
        "how a fact counts toward it",
        "direct computation / drill-down",
    ]
    assert _missing_parts(registry.Metric("x", "untranslated", source="linked")) == [
        "label in vi and en"
    ]
    # a rule on a column the fact does not have, an unknown event, a lookup no side can generate
    assert _missing_parts(
        registry.Metric(
            "x", label, counters=("received",), event="received_at", fact={"nope": 1}, direct=len
        )
    ) == ["how a fact counts toward it"]
    assert _missing_parts(
        registry.Metric("x", label, counters=("received",), event="sent_at", direct=len)
    ) == ["how a fact counts toward it"]
    assert _rule_faults(registry.Count("received", "received_at", {"channel__gte": 1})) == [
        "lookup gte"
    ]
    assert _rule_faults(registry.Count("nope", "received_at", value="nope")) == [
        "counter column",
        "summed column nope",
    ]
    with pytest.raises(ValueError, match="lookup"):
        summary.fact_test({"channel__gte": 1})
    with pytest.raises(ValueError, match="lookup"):
        rebuild_sql._fact_sql({"channel__gte": 1})
    with pytest.raises(ValueError, match="lookup"):
        summary.rule_source([registry.Count("received", "received_at", {"channel__gte": 1})])
    # the generated rule counts what its rules say, nothing else
    only_online = summary.compile_rule(
        [registry.Count("received_c2", "received_at", {"channel": 2})]
    )
    fact = summary.FactRow(*(None for _ in summary.ROW_FIELDS))
    online = dataclasses.replace(fact, channel=2, received_at=timezone.now())
    assert [c for _at, c, _h in only_online(online)] == [{"received_c2": 1}]
    assert list(only_online(dataclasses.replace(online, channel=1))) == []
    # two different rules for one counter column are refused
    with monkeypatch.context() as mp:
        mp.setattr(
            registry,
            "STRUCTURED",
            (*registry.STRUCTURED, ("x", registry.Count("received", "finished_at"))),
        )
        with pytest.raises(ValueError, match="two rules for the counter received"):
            registry._counts()


def _facts_meeting_each_rule() -> dict[str, tuple[set, set, set]]:
    """Per counting rule, the facts meeting its condition by the Python test, the SQL and the
    ORM (the three forms generated from the registry entry)."""
    rows = [summary.FactRow(*v) for v in DossierFact.objects.values_list(*summary.ROW_FIELDS)]
    ids = list(DossierFact.objects.values_list("dossier_id", flat=True))
    out = {}
    for c in registry.COUNTS:
        test = summary.fact_test(c.fact)
        by_python = {pk for pk, f in zip(ids, rows, strict=True) if test is None or test(f)}
        where = rebuild_sql._fact_sql(c.fact) or "TRUE"
        with connection.cursor() as cur:
            cur.execute(f"SELECT f.dossier_id FROM dashboards_dossierfact f WHERE {where}")
            by_sql = {r[0] for r in cur.fetchall()}
        by_orm = set(DossierFact.objects.filter(**c.fact).values_list("dossier_id", flat=True))
        out[c.column] = (by_python, by_sql, by_orm)
    return out


@pytest.mark.django_db
def test_every_rule_selects_the_same_facts_in_python_sql_and_the_orm(dash):
    from signatures import services as signatures

    doc = signatures.signed_document_create(title="Kết quả", dossier=dash.dossiers["a_returned"])
    signatures.signed_document_store(document=doc, pdf_bytes=b"%PDF-1.7 result")
    summary.refresh()  # the stored signed result marked its dossier dirty
    assert DossierFact.objects.get(dossier_id=dash.dossiers["a_returned"].pk).signed
    meeting = _facts_meeting_each_rule()
    for column, (by_python, by_sql, by_orm) in meeting.items():
        assert by_python == by_sql == by_orm, column
    # the world exercises the conditions: each conditional rule keeps some facts, drops others
    total = DossierFact.objects.count()
    for column in ("received_c2", "late", "signed_results"):
        assert 0 < len(meeting[column][0]) < total, column
    # and the generated SQL rebuild equals the Python rule table for table
    tables = _counter_tables()
    summary.rebuild_months_python()
    summary.rebuild_snapshots()
    assert _counter_tables() == tables
    assert sum(SectorMonthStat.objects.values_list("signed_results", flat=True)) == 1


def _counter_tables() -> dict[str, list]:
    out = {}
    for model in (SectorMonthStat, ProcedureMonthStat, ProcedureTimeMonth):
        names = [f.name for f in model._meta.concrete_fields if f.name != "id"]
        out[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    return out


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
