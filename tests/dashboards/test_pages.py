# ruff: noqa: F811  (the fixtures dash/june_morning are imported from dash_world: no shared conftest to collide on)
"""The dashboard pages: who sees what, the numbers behind the links, exports and bad input."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dashboards import views
from tests.dashboards.dash_world import dash, june_morning  # noqa: F401

URL = "/thong-ke/"


def get(client, user, path, **params):
    if user is not None:
        client.force_login(user)
    return client.get(path + ("?" + urlencode(params) if params else ""))


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/thong-ke/",
        "/thong-ke/ho-so/?metric=received",
        "/thong-ke/chi-so-766/",
        "/thong-ke/xuat/csv/",
        "/thong-ke/ho-so/xuat/csv/?metric=received",
    ],
)
def test_citizen_and_clerk_get_403_anonymous_the_login_page(client, dash, path):
    response = client.get(path)
    assert response.status_code == 302 and "/tai-khoan/" in response.url and "next=" in response.url
    for user in (dash.citizen, dash.clerk_a):
        client.force_login(user)
        assert client.get(path).status_code == 403


def test_provincial_user_sees_every_agency(client, dash):
    response = get(client, dash.provincial, URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html and "Sở Xây dựng" in html
    k = {kpi.metric.key: kpi for kpi in response.context["d"].kpis}
    assert k["received"].value == 6
    assert k["online_share"].value == pytest.approx(4 / 6)
    # tables under the charts: per sector (two procedures, two sectors) and per service level
    assert sorted(r.figures.received for r in response.context["sector_rows"]) == [2, 4]
    assert {r["level"]: r["count"] for r in response.context["level_rows"]} == {2: 0, 3: 0, 4: 6}
    assert 'id="sector-table"' in html and "&amp;level=4" in html
    # the signed results and exchanged documents are counted now: no "not linked yet" note
    assert "not linked to dossiers" not in html and "No inter-agency document data" not in html


def test_leader_sees_only_his_agency_and_its_sub_units(client, dash):
    response = get(client, dash.leader_a, URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Xây dựng" not in html
    k = {kpi.metric.key: kpi for kpi in response.context["d"].kpis}
    assert k["received"].value == 4
    assert k["online_share"].value == pytest.approx(3 / 4)


def test_leader_cannot_pass_another_agencys_id(client, dash):
    for path in (URL, "/thong-ke/ho-so/", "/thong-ke/chi-so-766/", "/thong-ke/xuat/csv/"):
        response = get(client, dash.leader_a, path, agency=dash.b.pk, metric="received")
        assert response.status_code == 400, path
        body = response.content.decode()
        assert "ngoài phạm vi được xem" in body  # Vietnamese first (one msgid, issue 16)
        assert "Lò Thị Bê" not in body
    response = client.get(
        "/api/v1/dashboard/figures/", {"agency": dash.b.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and "outside" in response.json()["errors"][0]


def test_leader_may_narrow_to_his_division(client, dash):
    response = get(client, dash.leader_a, URL, agency=dash.a1.pk)
    assert response.status_code == 200
    assert {k.metric.key: k.value for k in response.context["d"].kpis}["received"] == 1


# --- drill-down -------------------------------------------------------------------------------------


def test_every_number_links_to_its_drilldown(client, dash):
    html = get(client, dash.provincial, URL).content.decode()
    for kpi in ("received", "resolved", "resolved_late", "in_progress_overdue", "received_online"):
        assert f"/thong-ke/ho-so/?metric={kpi}&amp;" in html


def test_drilldown_lists_the_dossiers_behind_the_number(client, dash):
    response = get(client, dash.provincial, "/thong-ke/ho-so/", metric="received")
    assert response.status_code == 200
    assert response.context["total"] == 6
    codes = {d["code"] for d in response.context["rows"]}
    assert codes == {d.code for d in dash.dossiers.values()}
    html = response.content.decode()
    assert reverse("dossiers:detail", args=[dash.dossiers["b_late"].pk]) in html

    response = get(client, dash.provincial, "/thong-ke/ho-so/", metric="resolved_late")
    assert [d["code"] for d in response.context["rows"]] == [dash.dossiers["b_late"].code]


def test_leaders_drilldown_is_scoped(client, dash):
    response = get(client, dash.leader_a, "/thong-ke/ho-so/", metric="received")
    codes = {d["code"] for d in response.context["rows"]}
    assert codes == {
        dash.dossiers[k].code for k in ("a_returned", "a_progress", "a_overdue", "a1_progress")
    }


def test_drilldown_is_paginated(client, dash, monkeypatch):
    monkeypatch.setattr(views, "DRILLDOWN_PAGE_SIZE", 4)
    first = get(client, dash.provincial, "/thong-ke/ho-so/", metric="received")
    assert len(first.context["rows"]) == 4 and first.context["next_query"]
    assert 'id="next-page"' in first.content.decode()
    second = client.get("/thong-ke/ho-so/?" + first.context["next_query"])
    assert len(second.context["rows"]) == 2 and not second.context["next_query"]
    seen = [r["code"] for r in first.context["rows"] + second.context["rows"]]
    assert sorted(seen) == sorted(d.code for d in dash.dossiers.values())


# --- bad input: a clear message, never a 500 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "week"}, "The period is not valid"),
        ({"period": "month", "year": "abc"}, "The period is not valid"),
        ({"period": "month", "year": "2026", "month": "13"}, "The period is not valid"),
        (
            {"period": "custom", "start": "2026-06-30", "end": "2026-06-01"},
            "The start date must not be after the end date",
        ),
        (
            {"period": "custom", "start": "2026-02-30", "end": "2026-06-01"},
            "The period is not valid",
        ),
        (
            {"period": "custom", "start": "2000-01-01", "end": "2026-06-01"},
            "The range may be at most 10 years",
        ),
        ({"period": "custom"}, "The period is not valid"),
        ({"agency": "xyz"}, "The agency is not valid or outside what you may see"),
        ({"agency": "999999"}, "The agency is not valid or outside what you may see"),
        ({"sector": "-1"}, "The value is not valid"),
        ({"level": "7"}, "The value is not valid"),
    ],
)
def test_bad_filters_get_a_clear_message_in_the_users_language(client, dash, params, message):
    from django.conf import settings
    from django.utils import translation

    with translation.override("vi"):
        vietnamese = translation.gettext(message + ".")
    assert vietnamese != message + "."  # the catalogue has it
    for path in (URL, "/thong-ke/chi-so-766/", "/thong-ke/xuat/xlsx/"):
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        response = get(client, dash.provincial, path, **params)
        assert response.status_code == 400, (path, params)
        assert vietnamese in response.content.decode()  # Vietnamese unless English is asked for
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = get(client, dash.provincial, path, **params)
        assert response.status_code == 400 and message in response.content.decode()
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)


@pytest.mark.parametrize(
    "params",
    [
        {"metric": "password"},
        {"metric": ""},
        {"metric": "received", "after": "yesterday"},
        {"metric": "received", "after": "2026-06-01T00:00:00+07:00|x"},
    ],
)
def test_bad_drilldown_parameters(client, dash, params):
    response = get(client, dash.provincial, "/thong-ke/ho-so/", **params)
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()


def test_unknown_export_format(client, dash):
    assert get(client, dash.provincial, "/thong-ke/xuat/doc/").status_code == 400
    assert (
        get(client, dash.provincial, "/thong-ke/ho-so/xuat/pdf/", metric="received").status_code
        == 400
    )


def test_custom_quarter_and_year_periods(client, dash):
    for params in (
        {"period": "quarter", "year": 2026, "quarter": 2},
        {"period": "year", "year": 2026},
        {"period": "custom", "start": "2026-06-01", "end": "2026-06-30"},
    ):
        response = get(client, dash.provincial, URL, **params)
        assert response.status_code == 200, params
        assert {k.metric.key: k.value for k in response.context["d"].kpis}["received"] == 6
    response = get(client, dash.provincial, URL, period="month", year=2026, month=5)
    assert {k.metric.key: k.value for k in response.context["d"].kpis}["received"] == 0
    # May's previous-period comparison: June is the period after, so June's 6 show as "before" nowhere
    response = get(client, dash.provincial, URL, period="month", year=2026, month=7)
    assert {k.metric.key: k.previous for k in response.context["d"].kpis}["received"] == 6


# --- exports -----------------------------------------------------------------------------------------


def test_csv_export_of_the_dashboard_tables(client, dash):
    response = get(client, dash.provincial, "/thong-ke/xuat/csv/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    received = next(r for r in rows if r and r[0] == "Hồ sơ tiếp nhận")
    assert received[1] == "6"
    assert any(r and r[0] == "Sở Tư pháp" for r in rows)


def test_xlsx_export_opens_with_openpyxl(client, dash):
    from openpyxl import load_workbook

    response = get(client, dash.leader_a, "/thong-ke/xuat/xlsx/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb[wb.sheetnames[0]]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Hồ sơ tiếp nhận"] == 4
    all_text = " ".join(
        str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert "Sở Xây dựng" not in all_text


def test_drilldown_exports(client, dash):
    from openpyxl import load_workbook

    response = get(client, dash.provincial, "/thong-ke/ho-so/xuat/csv/", metric="resolved_late")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    data = [r for r in rows[2:] if r]
    assert [r[0] for r in data] == [dash.dossiers["b_late"].code]
    response = get(client, dash.provincial, "/thong-ke/ho-so/xuat/xlsx/", metric="received")
    ws = load_workbook(io.BytesIO(response.content)).active
    codes = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert codes == {d.code for d in dash.dossiers.values()}


# --- the 766 page, the public page, the API -------------------------------------------------------------


def test_index766_page_shows_groups_components_and_ranking(client, dash):
    response = get(client, dash.provincial, "/thong-ke/chi-so-766/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-group="') == 6
    assert 'data-component="reused_data"' in html and "no-data" in html
    # each component's formula as the method writes it (Decision 766; docs/regulations.md)
    assert (
        "đang giải quyết trong hạn tại cuối kỳ" in html
        and "tổng số thủ tục thuộc thẩm quyền" in html
    )
    # the average processing time per procedure, shown with the progress group
    average = html[html.index('id="average-times"') :]
    assert "Đăng ký khai sinh" in average[:2000] and "Cấp giấy phép xây dựng" in average[:2000]
    ranking = response.context["ranking"]
    assert {r.name for r in ranking} >= {"Sở Tư pháp", "Sở Xây dựng"}
    assert [r.rank for r in ranking] == list(range(1, len(ranking) + 1))


def test_public_page_for_everyone_without_personal_data(
    client, dash, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    response = client.get("/thong-ke/cong-khai/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html and 'data-figure="received">6<' in html
    for d in dash.dossiers.values():
        assert d.applicant_name not in html and d.code not in html
    with django_assert_max_num_queries(0):
        assert (
            client.get("/thong-ke/cong-khai/").status_code == 200
        )  # the figures come from the cache
    assert client.get("/thong-ke/cong-khai/?year=abc").status_code == 200


def test_api_figures_and_index(client, dash):
    assert client.get("/api/v1/dashboard/figures/").status_code in (401, 403)
    client.force_login(dash.citizen)
    assert client.get("/api/v1/dashboard/figures/").status_code == 403
    client.force_login(dash.leader_b)
    body = client.get("/api/v1/dashboard/figures/").json()
    assert body["figures"]["received"] == 2 and body["previous"]["figures"]["received"] == 0
    body = client.get("/api/v1/dashboard/index766/").json()
    assert body["index"]["groups"][0]["key"] == "transparency"
    assert {r["name"] for r in body["ranking"]} <= {"Sở Xây dựng"}
    assert client.get("/api/v1/dashboard/index766/?period=decade").status_code == 400


# --- speed: a fixed number of queries, whatever the number of rows ------------------------------------


def test_dashboard_query_count_does_not_grow_with_rows(client, dash, django_assert_num_queries):
    from tests.dashboards.dash_world import build_world, refresh_summaries

    client.force_login(dash.provincial)
    client.get(URL)  # warm: session, content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    build_world()  # twice the agencies, procedures and dossiers
    refresh_summaries()
    with CaptureQueriesContext(connection) as after:
        assert client.get(URL).status_code == 200
    assert len(after) == len(before)


def test_over_time_chart_spans(client, dash):
    from datetime import date

    from dashboards.reports import series_filters
    from dashboards.selectors import Filters, period_filters

    span, gran = series_filters(period_filters("month", date(2026, 6, 1)))
    assert (span.start, span.end, gran) == (date(2025, 7, 1), date(2026, 6, 30), "month")
    span, gran = series_filters(period_filters("quarter", date(2026, 12, 1)))
    assert (span.start, span.end, gran) == (date(2026, 1, 1), date(2026, 12, 31), "month")
    span, gran = series_filters(Filters(start=date(2026, 6, 3), end=date(2026, 6, 20)))
    assert (span.start, gran) == (date(2026, 6, 3), "day")
    response = get(client, dash.provincial, URL)
    series = response.context["charts"]["series"]
    assert len(series["labels"]) == 12 and series["labels"][-1] == "06/2026"
    assert series["received"][-1] == 6 and sum(series["received"]) == 6
