"""Browser journey: the provincial user opens the dashboard, filters, drills down to the dossiers
behind a number, and exports (CSV and XLSX are downloads; the PDF report is prepared by a real
Celery worker while the reports page polls, then downloaded)."""

from __future__ import annotations

from dossiers.constants import Channel
from portal.agencies.models import Agency
from tests.celery_support import celery_worker
from tests.factories.dossiers import DossierFactory, ProcedureFactory


def _dossiers():
    """Five dossiers received today: three at Sở Tư pháp (one late), two at phường Mường Thanh."""
    from tests.dashboards.dash_world import refresh_summaries

    tuphap = Agency.objects.get(code="000.00.03.H18")
    ward = Agency.objects.get(code="000.00.52.H18")
    p1 = ProcedureFactory(agency=tuphap, name="Cấp Phiếu lý lịch tư pháp (thử)")
    p2 = ProcedureFactory(agency=ward, name="Đăng ký khai sinh (thử)")
    late = DossierFactory(agency=tuphap, procedure=p1, processed=True, timeliness="late")
    DossierFactory(agency=tuphap, procedure=p1, in_progress=True)
    DossierFactory(agency=tuphap, procedure=p1, returned=True, channel=Channel.IN_PERSON)
    DossierFactory(agency=ward, procedure=p2, in_progress=True)
    DossierFactory(agency=ward, procedure=p2, overdue=True)
    refresh_summaries()
    return tuphap, late


# a PDF report and the demo province's first page (cold caches, one shared 2-core machine)
SLOW_MS = 30_000


def test_provincial_user_filters_drills_down_and_exports(page, login, demo_data):
    page.set_default_timeout(SLOW_MS)
    tuphap, late = _dossiers()
    login(page, "tinh", demo_data)
    page.click("#nav-dashboards")
    page.wait_for_url("**/thong-ke/**")
    assert page.locator('[data-kpi="received"] .kpi-value').inner_text() == "5"
    page.wait_for_function("document.documentElement.dataset.chartsReady === '1'")
    assert page.evaluate("!!document.getElementById('chart-series').chart")

    # filter: one agency
    page.select_option("#id_agency", str(tuphap.pk))
    with page.expect_navigation():
        page.click("#apply-filters")
    assert page.locator('[data-kpi="received"] .kpi-value').inner_text() == "3"
    assert "agency=" in page.url

    # drill down from "resolved late" in the figures table to the one dossier behind it
    with page.expect_navigation():
        page.click('#figures-table tr[data-figure="resolved_late"] a')
    assert "metric=resolved_late" in page.url
    rows = page.locator("#drill-table tbody tr")
    assert rows.count() == 1
    assert late.code in rows.first.inner_text()
    with page.expect_navigation():
        page.click("#drill-table a.dossier-link")
    assert f"/ho-so/{late.pk}/" in page.url
    page.go_back()

    # exports: the drill-down list, then the dashboard's tables and the PDF report
    with page.expect_download() as info:
        page.click("#drill-export-csv")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    assert late.code in open(download.path(), encoding="utf-8-sig").read()

    page.goto("/thong-ke/")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
    # the PDF report is laid out by a real worker; the reports page polls until it is ready
    page.click("#export-pdf")
    page.wait_for_url("**/thong-ke/bao-cao/**")
    with celery_worker(concurrency=1):
        page.click("#report-request")
        page.wait_for_selector("#dashboard-reports a.report-link", timeout=90_000)
    with page.expect_download() as info:
        page.click("#dashboard-reports a.report-link")
    pdf = info.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert open(pdf.path(), "rb").read(4) == b"%PDF"


def test_leader_sees_only_his_agency_and_citizen_is_refused(page, login, demo_data):
    page.set_default_timeout(SLOW_MS)
    _dossiers()
    login(page, "lanhdao.tuphap", demo_data)
    page.goto("/thong-ke/")
    assert page.locator('[data-kpi="received"] .kpi-value').inner_text() == "3"
    assert "Mường Thanh" not in page.locator("#agency-table").inner_text()
    page.context.clear_cookies()
    login(page, "congdan", demo_data)
    response = page.goto("/thong-ke/")
    assert response.status == 403
    assert page.locator("#nav-dashboards").count() == 0
    page.goto("/thong-ke/cong-khai/")
    assert page.locator('[data-figure="received"]').inner_text() == "5"
