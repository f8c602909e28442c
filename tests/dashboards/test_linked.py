# ruff: noqa: F811  (the fixtures dash/june_morning are imported from dash_world)
"""Signed results and inter-agency documents (issue 16): the indicators read the signature
records linked to the dossiers and the documents sent / received over the exchange, so they no
longer stay at 0 after results were signed and documents exchanged; each equals the direct
computation from the records (Decree 30/2020, electronic documents and their exchange;
Decision 766/QĐ-TTg's digitisation component)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from dashboards import reports, selectors, summary
from dashboards.selectors import Filters, period_filters
from documents.constants import IncomingSource
from documents.models import IncomingDocument, OutgoingDocument
from signatures import services as signatures
from tests.dashboards.dash_world import dash, june_morning  # noqa: F401


def _sign(dossier, stored=True):
    doc = signatures.signed_document_create(title="Kết quả", dossier=dossier)
    if stored:
        signatures.signed_document_store(document=doc, pdf_bytes=b"%PDF-1.7 result")
    return doc


def _outgoing(agency, sent_at, by):
    return OutgoingDocument.objects.create(
        agency=agency, subject="Công văn", sent_at=sent_at, created_by=by
    )


def _incoming(agency, received_at, by, source=IncomingSource.EXCHANGE):
    return IncomingDocument.objects.create(
        created_by=by,
        agency=agency,
        from_organ_name="UBND tỉnh bạn",
        subject="Công văn đến",
        source=source,
        received_at=received_at,
    )


@pytest.fixture
def linked(dash):
    now = timezone.now()
    d = dash.dossiers
    by = dash.clerk_a
    _sign(d["a_returned"])
    _sign(d["a_returned"])  # a second signed file of the same dossier: still one result
    _sign(d["b_late"], stored=False)  # reserved, never stored (signing failed): not a result
    _sign(d["a_progress"])  # not resolved: its signed draft does not count
    _outgoing(dash.a, now - timedelta(hours=2), by)
    _outgoing(dash.a1, now - timedelta(hours=3), by)
    _outgoing(dash.b, now - timedelta(hours=1), by)
    _outgoing(dash.b, None, by)  # a draft, never sent
    _outgoing(dash.b, now - timedelta(days=400), by)  # sent in another year
    _incoming(dash.a, now - timedelta(hours=1), by)
    _incoming(dash.b, now - timedelta(hours=1), by)
    _incoming(dash.b, now - timedelta(hours=2), by, source=IncomingSource.MANUAL)  # paper
    summary.refresh()  # the stored signed results marked their dossiers dirty
    return dash


def test_signed_results_and_documents_are_counted(linked):
    year = period_filters("year", timezone.localdate())
    fig = selectors.dashboard_figures(year)
    assert (fig.signed_results, fig.documents_sent, fig.documents_received) == (1, 3, 2)
    assert fig.resolved == 2 and fig.signed_share == pytest.approx(1 / 2)
    assert "signed_results" not in fig.notes and "documents_sent" not in fig.notes
    # the agreement: the same numbers computed straight from the records
    assert fig.comparable() == selectors.direct_figures(year).comparable()


def test_agency_subtree_scopes_documents_and_signed_results(linked):
    a = Filters(
        start=timezone.localdate().replace(month=1, day=1),
        end=timezone.localdate().replace(month=12, day=31),
        agency_ids=(linked.a.pk,),
    )
    fig = selectors.dashboard_figures(a)
    assert (fig.signed_results, fig.documents_sent, fig.documents_received) == (1, 2, 1)
    assert fig.comparable() == selectors.direct_figures(a).comparable()
    b = Filters(start=a.start, end=a.end, agency_ids=(linked.b.pk,))
    fig = selectors.dashboard_figures(b)
    assert (fig.signed_results, fig.documents_sent, fig.documents_received) == (0, 1, 1)
    assert fig.comparable() == selectors.direct_figures(b).comparable()


def test_documents_have_no_sector_so_a_sector_filter_says_so(linked):
    year = period_filters("year", timezone.localdate(), sector_id=linked.procedure_a.sector_id)
    with translation.override("en"):
        fig = selectors.dashboard_figures(year)
    assert fig.signed_results == 1
    assert (fig.documents_sent, fig.documents_received) == (0, 0)
    assert "no sector" in fig.notes["documents_sent"]
    assert fig.comparable() == selectors.direct_figures(year).comparable()


def test_the_page_shows_the_counts(client, linked):
    client.force_login(linked.provincial)
    response = client.get("/thong-ke/", {"period": "year"})
    assert response.status_code == 200
    rows = {r.metric.key: r for r in response.context["d"].rows}
    assert rows["signed_results"].value == 1
    assert rows["documents_sent"].value == 3 and rows["documents_received"].value == 2


def test_agency_chart_draws_the_busiest_and_leaves_the_rest_to_the_table():
    table = [{"name": f"Agency {i:02d}", "received": i, "resolved": i // 2} for i in range(1, 63)]
    chart = reports.agency_chart(table)
    assert chart["shown"] == reports.CHART_AGENCIES == 15 and chart["total"] == 62
    assert chart["labels"][0] == "Agency 62" and chart["labels"][-1] == "Agency 48"
    assert chart["received"] == sorted(chart["received"], reverse=True)
    assert "62" in reports.agency_chart_caption(62)
    assert reports.agency_chart_caption(10) == ""
