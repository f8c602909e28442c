# ruff: noqa: F811  (the fixtures dash/june_morning are imported from dash_world)
"""The printable PDF report: asked for on a page, laid out by a worker, downloaded by its requester."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import parse_qs

import pytest

from dashboards import report_files
from dashboards.models import DashboardReport
from dashboards.tasks import render_report
from portal.core.models import OutboxMessage
from tests.celery_support import celery_worker, purge_queue, wait_for
from tests.dashboards.dash_world import dash, june_morning  # noqa: F401

REPORTS = "/thong-ke/bao-cao/"


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())  # table cells wrap inside narrow columns


def test_old_pdf_address_and_button_lead_to_the_reports_page_without_side_effects(client, dash):
    client.force_login(dash.provincial)
    response = client.get("/thong-ke/xuat/pdf/?period=month&year=2026&month=6")
    assert response.status_code == 302 and response.url.startswith(REPORTS + "?")
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="report-request"' in html and "Toàn tỉnh — 01/06/2026 – 30/06/2026" in html
    assert (
        REPORTS in client.get("/thong-ke/").content.decode()
    )  # the dashboard's "PDF report" button
    assert not DashboardReport.objects.exists()


def test_request_records_the_pinned_filters_and_its_task_then_the_worker_task_renders_it(
    client, dash, tmp_path
):
    client.force_login(dash.provincial)
    response = client.post(
        REPORTS + "?period=month", follow=True
    )  # "this month" = June 2026 (the clock)
    assert response.status_code == 200
    report = DashboardReport.objects.get()
    assert report.state == "pending" and report.requested_by == dash.provincial
    assert parse_qs(report.query) == {"period": ["month"], "year": ["2026"], "month": ["6"]}
    assert (
        OutboxMessage.objects.filter(
            task_name=report_files.RENDER_TASK, kwargs={"report_id": report.pk}
        ).count()
        == 1
    )
    html = response.content.decode()
    assert "Being prepared" in html or "Đang chuẩn bị" in html
    assert 'hx-trigger="every' in html  # the list polls while a report is pending

    assert render_report.apply(kwargs={"report_id": report.pk}).get() == "ready"
    assert (
        render_report.apply(kwargs={"report_id": report.pk}).get() == "ready"
    )  # a redelivery is harmless
    report.refresh_from_db()
    assert report.pages >= 1 and report.rendered_at is not None
    partial = client.get(REPORTS + "?partial=1").content.decode()
    assert "hx-trigger" not in partial and f"/thong-ke/bao-cao/{report.pk}/tai-ve/" in partial

    download = client.get(f"/thong-ke/bao-cao/{report.pk}/tai-ve/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = _pdf_text(body, tmp_path)
        assert "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Sở Tư pháp" in text and "Sở Xây dựng" in text
        assert "01/06/2026 – 30/06/2026" in text

    # someone else (even another dashboard user) cannot fetch it, nor see it listed
    client.force_login(dash.leader_a)
    assert client.get(f"/thong-ke/bao-cao/{report.pk}/tai-ve/").status_code == 404
    assert report.title not in client.get(REPORTS).content.decode()


def test_leader_report_is_scoped_to_his_agency(client, dash, tmp_path):
    client.force_login(dash.leader_a)
    client.post(REPORTS + "?period=month&year=2026&month=6")
    report = DashboardReport.objects.get()
    assert report.title.startswith(dash.leader_a.agency.name)
    render_report.apply(kwargs={"report_id": report.pk})
    body = b"".join(client.get(f"/thong-ke/bao-cao/{report.pk}/tai-ve/").streaming_content)
    if shutil.which("pdftotext"):
        assert "Sở Xây dựng" not in _pdf_text(body, tmp_path)


def test_bad_filters_and_too_many_pending_requests_are_refused_with_a_message(client, dash):
    client.force_login(dash.provincial)
    response = client.post(REPORTS + "?period=month&month=13")
    assert response.status_code == 400 and not DashboardReport.objects.exists()
    for _ in range(report_files.MAX_PENDING_PER_USER):
        client.post(REPORTS + "?period=year&year=2026")
    response = client.post(REPORTS + "?period=year&year=2026", follow=True)
    assert DashboardReport.objects.count() == report_files.MAX_PENDING_PER_USER
    assert "đang được chuẩn bị" in response.content.decode()


def test_access(client, dash):
    assert client.get(REPORTS).status_code == 302  # anonymous: the login page
    for user in (dash.citizen, dash.clerk_a):
        client.force_login(user)
        assert client.get(REPORTS).status_code == 403
        assert client.post(REPORTS).status_code == 403
    assert not DashboardReport.objects.exists()


def test_a_requester_who_lost_the_role_gets_a_failed_report_not_the_figures(client, dash):
    client.force_login(dash.provincial)
    client.post(REPORTS + "?period=month&year=2026&month=6")
    report = DashboardReport.objects.get()
    dash.provincial.is_active = False
    dash.provincial.save(update_fields=["is_active"])
    assert render_report.apply(kwargs={"report_id": report.pk}).get() == "failed"
    report.refresh_from_db()
    # stored in the portal's language (Vietnamese first: one msgid, issue 16)
    assert report.state == "failed" and not report.file
    assert report.error == "Tài khoản không còn quyền xem thống kê này."


@pytest.mark.celery
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_requested_report(client, dash, tmp_path):
    purge_queue()
    client.force_login(dash.provincial)
    with celery_worker(concurrency=1, env={"EMAIL_FILE_PATH": str(tmp_path / "mail")}) as worker:
        client.post(REPORTS + "?period=month&year=2026&month=6")
        report = DashboardReport.objects.get()
        assert wait_for(
            lambda: DashboardReport.objects.get(pk=report.pk).state == "ready",
            timeout=90,
            proc=worker,
        ), worker.log()
    report.refresh_from_db()
    response = client.get(f"/thong-ke/bao-cao/{report.pk}/tai-ve/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    purge_queue()
