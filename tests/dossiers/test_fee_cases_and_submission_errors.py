"""Issue 14: the fee lines are cases (standard, reduced, per extra copy), not a sum; and the online
form shows every error at once in a GOV.UK-style error summary and keeps the files chosen.

Fees: Law on Fees and Charges 97/2015/QH13 art. 3; the judicial record certificate's amounts of
Circular 244/2016/TT-BTC (200.000 đ, 100.000 đ for students and people with meritorious services,
5.000 đ per certificate from the third one on); Decree 118/2025/NĐ-CP has the fees due for the
dossier paid with it (docs/regulations.md). The error summary follows the GOV.UK Design System's
"Error summary" component: at the top, a link per error to its field, the same words inline.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers import inputs, services
from dossiers.constants import Action, DossierStatus
from dossiers.models import Dossier, DossierFile
from national.payment_platform.services import fee_lines as platform_fee_lines
from procedures import fees
from procedures.constants import FeeKind
from procedures.models import ProcedureFee
from procedures.services import procedure_publish

from .conftest import pdf
from .test_eform_submission import _answers, eworld  # noqa: F401 (fixture)

LLTP_FEES = [  # as the catalogue lists them (procedures/demo.py, 2.000488)
    ("Phí cấp Phiếu lý lịch tư pháp", 200000, "Mỗi lần yêu cầu"),
    ("Phí cấp Phiếu lý lịch tư pháp (giảm)", 100000, "Sinh viên, người có công với cách mạng"),
    ("Phí cấp từ phiếu thứ 3 trở đi", 5000, "Mỗi phiếu tăng thêm"),
]


def _with_fees(procedure, lines=LLTP_FEES):
    for i, (name, amount, applies_to) in enumerate(lines):
        kind, free = fees.guess_kind(name, applies_to, first=i == 0)
        ProcedureFee.objects.create(
            procedure=procedure,
            name=name,
            amount=Decimal(amount),
            applies_to=applies_to,
            kind=kind,
            free_copies=free,
        )
    procedure_publish(procedure=procedure)
    procedure.refresh_from_db()
    return procedure.versions.order_by("-version").first().snapshot


def _docs(world):
    version = world.procedure.versions.order_by("-version").first()
    return [d["id"] for d in version.snapshot["documents"]]


def _payload(world, **extra):
    data = {
        "agency": world.agency.pk,
        "applicant_name": "Lò Thị Hoa",
        "applicant_citizen_id": "011200004321",
        "applicant_phone": "0912345678",
        "applicant_address": "Mường Thanh",
    }
    data.update(extra)
    return data


def _summary(html: str) -> list[tuple[str, str]]:
    box = re.search(r'<div[^>]*id="error-summary".*?</ul>', html, re.S)
    assert box, "no error summary on the page"
    return re.findall(r'<a href="([^"]+)" class="alert-link">([^<]+)</a>', box.group(0))


# --- fee cases ---------------------------------------------------------------------------------


def test_the_lines_are_cases_copies_and_fixed_lines_not_a_sum(world):
    snapshot = _with_fees(world.procedure)
    kinds = [(f["kind"], f["free_copies"]) for f in snapshot["fees"]]
    assert kinds == [(FeeKind.CASE, 0), (FeeKind.CASE, 0), (FeeKind.PER_COPY, 2)]
    assert fees.fee_quote(snapshot).total == Decimal(200000)  # was 305.000 đ: every line added
    assert fees.fee_quote(snapshot, case=1, copies=3).total == Decimal(105000)
    assert fees.fee_quote(snapshot, case=0, copies=4).total == Decimal(210000)
    assert fees.fee_quote(snapshot, case=0, copies=2).total == Decimal(200000)
    for bad in ({"case": 2}, {"case": "x"}, {"copies": 0}, {"copies": fees.MAX_COPIES + 1}):
        with pytest.raises(fees.FeeChoiceError):
            fees.fee_quote(snapshot, **bad)
    # a line charged in every case is added to the chosen case
    both = {
        "fees": [
            {"name": "Lệ phí đăng ký", "amount": "50000"},
            {"name": "Phí công bố", "amount": "100000"},
        ]
    }
    assert fees.fee_quote(both).total == Decimal(150000)


def test_snapshots_published_before_the_kinds_are_read_from_the_wording():
    old = {"fees": [{"name": n, "amount": str(a), "applies_to": t} for n, a, t in LLTP_FEES]}
    assert fees.fee_quote(old).total == Decimal(200000)
    assert fees.fee_quote(old, case=1, copies=5).total == Decimal(115000)


def test_the_applicant_picks_the_case_and_copies_and_the_server_computes_the_total(
    client, world, working_morning
):
    _with_fees(world.procedure)
    client.force_login(world.citizen)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    page = client.get(url).content.decode()
    assert 'name="fee_case"' in page and 'name="fee_copies"' in page
    assert re.search(r'id="fee-total"[^>]*>200\.000 đ<', page)  # not 305.000 đ
    first, _ = _docs(world)
    response = client.post(
        url,
        _payload(
            world,
            submit="1",
            fee_case="1",
            fee_copies="3",
            fee_total="1",  # whatever the browser sends, the portal computes the total
            **{f"doc_{first}": pdf()},
        ),
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.fee_total == Decimal(105000)
    assert dossier.fee_choice["case"] == 1 and dossier.fee_choice["copies"] == 3
    assert [
        (line["name"], line["quantity"], line["total"]) for line in dossier.fee_choice["lines"]
    ] == [
        ("Phí cấp Phiếu lý lịch tư pháp (giảm)", 1, "100000"),
        ("Phí cấp từ phiếu thứ 3 trở đi", 1, "5000"),
    ]

    # the clerk sees the choice, and the payment request is prefilled with its total
    services.dossier_receive(dossier=dossier, actor=world.clerk)
    client.force_login(world.clerk)
    detail = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Phí cấp Phiếu lý lịch tư pháp (giảm): 100.000 đ" in detail
    assert "3 bản" in detail
    dossier.refresh_from_db()
    form = inputs.page_form(Action.REQUEST_PAYMENT, dossier)
    assert form.initial["amount"] == Decimal(105000)
    assert 'value="105000"' in detail
    # the national payment platform's receipt carries the chosen lines
    assert [(x["TenPhiLePhi"], x["SoTien"]) for x in platform_fee_lines(dossier)] == [
        ("Phí cấp Phiếu lý lịch tư pháp (giảm)", "100000"),
        ("Phí cấp từ phiếu thứ 3 trở đi", "5000"),
    ]


def test_a_fee_case_that_is_not_the_procedures_is_refused(client, world, working_morning):
    _with_fees(world.procedure)
    client.force_login(world.citizen)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    first, _ = _docs(world)
    response = client.post(
        url, _payload(world, submit="1", fee_case="2", **{f"doc_{first}": pdf()})
    )
    assert response.status_code == 200
    assert ("#id_fee_case_0", "Chọn một trong các trường hợp thu phí của thủ tục.") in _summary(
        response.content.decode()
    )
    assert not Dossier.objects.filter(status=DossierStatus.NEW).exists()
    with pytest.raises(services.DossierError):
        services.dossier_save_draft(
            actor=world.citizen, procedure=world.procedure, agency=world.agency, fee_copies=0
        )


def test_the_api_draft_takes_the_case_and_copies_and_computes_the_total(world):
    _with_fees(world.procedure)
    api_client = APIClient()
    api_client.force_authenticate(world.citizen)
    response = api_client.post(
        "/api/v1/dossiers/",
        {
            "procedure": world.procedure.code,
            "agency": world.agency.code,
            "fee_case": 0,
            "fee_copies": 4,
            "fee_total": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Decimal(response.json()["fee_total"]) == Decimal(210000)
    assert response.json()["fee_choice"]["copies"] == 4


# --- the error summary, files kept ---------------------------------------------------------------


def test_an_empty_submit_lists_every_error_in_the_summary(client, world, working_morning):
    client.force_login(world.citizen)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    response = client.post(url, {"submit": "1"})
    html = response.content.decode()
    first, _ = _docs(world)
    links = dict(_summary(html))
    assert set(links) == {"#id_agency", "#id_applicant_name", f"#id_doc_{first}"}, links
    assert links[f"#id_doc_{first}"] == "Đính kèm “Tờ khai (bản chính)”."
    # GOV.UK: "Error:" before the page title (as the browser shows it: whitespace collapsed)
    title = " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())
    assert title.startswith("Lỗi: ")
    flat = " ".join(html.split())  # a tag's attributes may wrap
    assert 'data-error-summary tabindex="-1"' in flat and "js/error-summary.js" in html
    assert html.count("Đính kèm “Tờ khai (bản chính)”.") == 2  # in the summary and inline
    assert not Dossier.objects.exists()


def test_a_missing_document_is_an_error_not_a_silent_draft(client, world, working_morning):
    client.force_login(world.citizen)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    response = client.post(url, _payload(world, submit="1"))
    assert response.status_code == 200
    assert "Đã lưu bản nháp" not in response.content.decode()
    assert not Dossier.objects.exists()


def test_valid_files_are_kept_after_an_error_and_can_be_removed(client, world, working_morning):
    client.force_login(world.citizen)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    first, second = _docs(world)
    bad_name = _payload(
        world, submit="1", applicant_name="", **{f"doc_{first}": pdf("to-khai.pdf")}
    )
    response = client.post(url, bad_name)
    html = response.content.decode()
    assert ("#id_applicant_name", "Trường này là bắt buộc.") in _summary(html)
    draft = Dossier.objects.get()
    assert draft.status == DossierStatus.DRAFT
    assert list(draft.files.values_list("document_id", "original_name")) == [(first, "to-khai.pdf")]
    assert "Đã đính kèm:" in html and "to-khai.pdf" in html and f'name="remove_{first}"' in html
    assert f'name="draft" value="{draft.pk}"' in html
    # removing it makes it missing again
    removed = client.post(
        url, _payload(world, submit="1", draft=draft.pk, **{f"remove_{first}": "1"})
    )
    assert (f"#id_doc_{first}", "Đính kèm “Tờ khai (bản chính)”.") in _summary(
        removed.content.decode()
    )
    assert not DossierFile.objects.filter(dossier=draft).exists()
    client.post(
        url, _payload(world, draft=draft.pk, save="1", **{f"doc_{first}": pdf("lan-2.pdf")})
    )
    # the kept file is submitted without choosing it again
    done = client.post(url, _payload(world, submit="1", draft=draft.pk))
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DossierStatus.NEW
    assert list(draft.files.values_list("original_name", flat=True)) == ["lan-2.pdf"]


def test_eform_errors_are_in_the_summary_with_links_to_their_fields(
    client, eworld, working_morning
):
    client.force_login(eworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    answers = _answers(eworld, submit="1")
    answers["ef-child_name"] = ""
    answers["ef-requester_address-commune"] = ""
    response = client.post(url, answers)
    links = [href for href, _msg in _summary(response.content.decode())]
    assert "#id_ef-child_name" in links and "#id_ef-requester_address-commune" in links
    assert not Dossier.objects.filter(status=DossierStatus.NEW).exists()


# --- smaller: the return step's default, agency pickers in Vietnamese order ------------------------


def _processed_by_post(world, client):
    """An online dossier whose applicant chose the post at submission (form 01 item 6)."""
    client.force_login(world.citizen)
    first, _ = _docs(world)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    response = client.post(
        url,
        _payload(
            world,
            submit="1",
            result_delivery="post",
            delivery_address="Tổ 3, phường Mường Thanh",
            **{f"doc_{first}": pdf()},
        ),
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.registered_delivery == "post"
    dossier = services.dossier_receive(dossier=dossier, actor=world.clerk)
    dossier = services.dossier_assign(
        dossier=dossier, actor=world.clerk, department=world.division, assignee=world.specialist
    )
    dossier = services.dossier_forward_for_approval(
        dossier=dossier, actor=world.specialist, leader=world.leader
    )
    return services.dossier_approve(dossier=dossier, actor=world.leader)


def test_the_return_step_defaults_to_what_the_applicant_chose_on_the_page(
    client, world, working_morning
):
    dossier = _processed_by_post(world, client)
    client.force_login(world.clerk)
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    select = re.search(r'<select name="return_result-delivery".*?</select>', html, re.S)
    assert select, "no return form"
    assert re.search(r'<option value="post" selected>', select.group(0)), select.group(0)
    assert not re.search(r'<option value="counter" selected>', select.group(0))


def test_the_return_step_defaults_to_what_the_applicant_chose_in_the_api(
    client, world, working_morning
):
    dossier = _processed_by_post(world, client)
    api = APIClient()
    api.force_authenticate(world.clerk)
    response = api.post(reverse("dossiers-api-return", args=[dossier.pk]), {}, format="json")
    assert response.status_code == 200, response.content
    dossier.refresh_from_db()
    assert dossier.result_delivery == "post"


def test_agency_pickers_sort_in_vietnamese_order_d_before_dj(client, world, working_morning):
    from portal.core.text import vn_sort_key
    from tests.factories.agencies import AgencyFactory

    names = ["Sở Y tế", "Sở Đầu tư", "Sở Du lịch", "Sở Nội vụ", "Sở Dân tộc"]
    world.procedure.agencies.set([world.agency, *(AgencyFactory(name=n) for n in names)])
    client.force_login(world.citizen)
    html = client.get(reverse("dossiers:submit", kwargs={"code": world.procedure.code})).content
    select = re.search(r'<select name="agency".*?</select>', html.decode(), re.S).group(0)
    shown = [
        n for n in re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select) if n in names
    ]
    expected = ["Sở Dân tộc", "Sở Du lịch", "Sở Đầu tư", "Sở Nội vụ", "Sở Y tế"]
    assert shown == expected  # "Đ" is a letter after "D", not folded into it nor after "Z"
    assert sorted(names, key=vn_sort_key) == expected
    # the transfer picker of the clerk sorts the same way
    dossier = world.received()
    form = inputs.page_form(Action.TRANSFER, dossier)
    picked = [a.name for a in form.fields["to_agency"].queryset if a.name in names]
    assert picked == expected
