"""Issue 14, found on the demo: the counter intake (a search of procedures without diacritics, the
checklist of the procedure's documents with one scan slot each, the receipt listing the real
documents), the supplement answer through one upload slot per requested item, and no internal id
where a person reads a dossier.

Rules: the clerk checks the dossier's components against the published procedure and scans them
at reception (Decree 61/2018 Art. 15 as amended by Decree 107/2021, carried into Decree
118/2025); the applicant supplements the items the request lists (Decree 61/2018 Art. 9, guided
once and fully); form 01 item 1 "Thành phần hồ sơ" lists each paper with its form and number
(TT 03/2025/TT-VPCP Phụ lục I, mẫu 01).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers import printing, services
from dossiers.constants import Channel, DossierStatus
from dossiers.exceptions import DossierError
from dossiers.models import Dossier, DossierEvent, PrintedForm
from procedures.constants import PaperKind
from procedures.models import RequiredDocument
from procedures.services import procedure_publish
from tests.factories.agencies import AgencyFactory
from tests.factories.dossiers import ProcedureFactory

from .conftest import pdf
from .printed_support import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth(world):
    """ "Đăng ký khai sinh" at the world's agency: the declaration (original, 1), the birth
    certificate (original, 1), the parents' ID card (copy, 2, optional)."""
    procedure = ProcedureFactory(agency=world.agency, name="Đăng ký khai sinh", publish=False)
    procedure.documents.all().delete()
    for order, name, kind, copies, required in (
        (1, "Tờ khai đăng ký khai sinh", PaperKind.ORIGINAL, 1, True),
        (2, "Giấy chứng sinh", PaperKind.ORIGINAL, 1, True),
        (3, "Căn cước của cha, mẹ", PaperKind.COPY, 2, False),
    ):
        RequiredDocument.objects.create(
            procedure=procedure,
            order=order,
            name=name,
            paper_kind=kind,
            copies=copies,
            is_required=required,
        )
    procedure_publish(procedure=procedure)
    procedure.refresh_from_db()
    ProcedureFactory(agency=AgencyFactory(name="UBND xã khác"), name="Đăng ký khai tử")
    return procedure


def _docs(procedure) -> dict[str, int]:
    snapshot = procedure.versions.order_by("-version").first().snapshot
    return {d["name"]: d["id"] for d in snapshot["documents"]}


def _post(client, procedure, **files):
    data = {
        "procedure_code": procedure.code,
        "channel": Channel.IN_PERSON,
        "applicant_name": "Quàng Văn Tươi",
        "applicant_citizen_id": "011299998888",
        "applicant_phone": "0987654321",
        **files,
    }
    return client.post(reverse("dossiers:counter_new"), data)


def test_the_counter_finds_procedures_by_name_without_diacritics(client, world, birth):
    client.force_login(world.clerk)
    page = client.get(reverse("dossiers:counter_new"), {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in page and f"?procedure={birth.code}" in page
    assert "Đăng ký khai tử" not in page  # another agency's procedure is not offered
    upper = client.get(reverse("dossiers:counter_new"), {"q": "ĐĂNG KÝ KHAI SINH"}).content
    assert f"?procedure={birth.code}".encode() in upper
    assert "Đăng ký khai sinh" not in client.get(
        reverse("dossiers:counter_new"), {"q": "khai tu"}
    ).content.decode("utf-8")
    by_code = client.get(reverse("dossiers:counter_new"), {"q": birth.code}).content.decode()
    assert f"?procedure={birth.code}" in by_code


def test_the_checklist_shows_each_document_with_its_form_copies_and_a_scan_slot(
    client, world, birth
):
    client.force_login(world.clerk)
    page = client.get(reverse("dossiers:counter_new"), {"procedure": birth.code}).content.decode()
    ids = _docs(birth)
    assert page.count('class="checklist-row"') == 3
    for doc_id in ids.values():
        assert f'name="scan_{doc_id}"' in page
    assert "Căn cước của cha, mẹ" in page and "Bản sao" in page and "Bản chính" in page


def test_a_missing_required_document_is_refused_in_the_clerks_language_and_nothing_is_written(
    client, world, birth, working_morning
):
    client.force_login(world.clerk)
    ids = _docs(birth)
    response = _post(client, birth, **{f"scan_{ids['Tờ khai đăng ký khai sinh']}": pdf("tk.pdf")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Còn thiếu giấy tờ" in page and "Giấy chứng sinh" in page, page
    assert Dossier.objects.count() == 0 and DossierEvent.objects.count() == 0
    with pytest.raises(DossierError, match="Giấy chứng sinh"):
        services.dossier_create_at_counter(
            actor=world.clerk,
            procedure=birth,
            applicant={"name": "A"},
            papers={ids["Tờ khai đăng ký khai sinh"]: [pdf()]},
        )
    assert Dossier.objects.count() == 0


def test_counter_intake_files_each_scan_under_its_document_and_the_receipt_lists_them(
    client, world, birth, working_morning, tmp_path
):
    client.force_login(world.clerk)
    ids = _docs(birth)
    response = _post(
        client,
        birth,
        **{
            f"scan_{ids['Tờ khai đăng ký khai sinh']}": pdf("to-khai.pdf"),
            f"scan_{ids['Giấy chứng sinh']}": pdf("chung-sinh.pdf"),
            f"scan_{ids['Căn cước của cha, mẹ']}": [pdf("cccd-cha.pdf"), pdf("cccd-me.pdf")],
        },
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "dossiers:detail", args=[dossier.pk]
    )
    assert dossier.status == DossierStatus.NEW and dossier.code.startswith("G09.20-")
    assert sorted(dossier.files.values_list("document_name", flat=True)) == [
        "Căn cước của cha, mẹ",
        "Căn cước của cha, mẹ",
        "Giấy chứng sinh",
        "Tờ khai đăng ký khai sinh",
    ]
    assert not dossier.files.filter(document_name="Giấy tờ khác").exists()
    assert dossier.files.filter(is_digitised=True).count() == 4
    # the intake goes on through the engine's receive transition, which asks for form 01
    response = client.post(
        reverse("dossiers:act", args=[dossier.pk, "receive"]), {"receive-comment": ""}
    )
    assert response.status_code == 302
    form = PrintedForm.objects.get(dossier=dossier, kind="01")
    rows = printing.form_context(form)["documents"]
    assert rows == [
        {"name": "Tờ khai đăng ký khai sinh", "form": "Bản chính", "count": 1},
        {"name": "Giấy chứng sinh", "form": "Bản chính", "count": 1},
        {"name": "Căn cước của cha, mẹ", "form": "Bản sao", "count": 2},
    ]
    form = printing.render_form(form_id=form.pk)
    with form.file.open("rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    for expected in ("Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Căn cước của cha, mẹ"):
        assert expected in text, text
    assert "Giấy tờ khác" not in text


def _supplement(world, items):
    dossier = world.submitted()
    services.dossier_request_supplement(
        dossier=dossier, actor=world.clerk, items=items, reason="Hồ sơ chưa đủ"
    )
    dossier.refresh_from_db()
    return dossier


def test_the_answer_needs_a_file_in_every_requested_items_slot(world, working_morning):
    dossier = _supplement(
        world,
        [
            {"document": "Tờ khai (bản chính)", "reason": "thiếu chữ ký"},
            {"document": "Giấy xác nhận cư trú", "reason": "chưa nộp"},
        ],
    )
    with pytest.raises(DossierError, match="Giấy xác nhận cư trú"):
        services.dossier_answer_supplement(dossier=dossier, actor=world.citizen)
    first = services.dossier_add_file(
        dossier=dossier, actor=world.citizen, uploaded_file=pdf("tk.pdf"), supplement_item=0
    )
    # the item naming a procedure document is filed under that document
    doc_ids = {d["name"]: d["id"] for d in dossier.procedure_version.snapshot["documents"]}
    assert (first.document_name, first.document_id) == (
        "Tờ khai (bản chính)",
        doc_ids["Tờ khai (bản chính)"],
    )
    with pytest.raises(DossierError, match="Giấy xác nhận cư trú") as refused:
        services.dossier_answer_supplement(dossier=dossier, actor=world.citizen)
    assert "Tờ khai" not in refused.value.message
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED  # nothing half-written
    with pytest.raises(DossierError):
        services.dossier_add_file(
            dossier=dossier, actor=world.citizen, uploaded_file=pdf(), supplement_item=5
        )
    # files can be added to a slot until the answer is sent
    for name in ("xac-nhan-1.pdf", "xac-nhan-2.pdf"):
        services.dossier_add_file(
            dossier=dossier, actor=world.citizen, uploaded_file=pdf(name), supplement_item=1
        )
    dossier = services.dossier_answer_supplement(dossier=dossier, actor=world.citizen)
    assert dossier.status == DossierStatus.NEW
    assert dossier.files.filter(is_supplement=True).count() == 3


def test_the_page_gives_one_slot_per_item_and_refuses_an_empty_answer(
    client, world, working_morning
):
    dossier = _supplement(
        world,
        [{"document": "Giấy tờ tùy thân", "reason": "mờ"}, {"document": "Sơ đồ", "reason": ""}],
    )
    client.force_login(world.citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert page.count('class="border rounded p-2 mb-2 supplement-slot"') == 2
    assert 'id="supplement-file-0"' in page and 'id="supplement-file-1"' in page
    assert 'id="upload-form"' not in page  # no catch-all field that files everything as "other"
    empty = client.post(
        reverse("dossiers:act", args=[dossier.pk, "answer_supplement"]),
        {"answer_supplement-comment": ""},
        follow=True,
    )
    assert empty.status_code == 200
    assert "Giấy tờ tùy thân; Sơ đồ" in empty.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    for index in ("0", "1", "1"):
        client.post(
            reverse("dossiers:upload", args=[dossier.pk]),
            {"supplement_item": index, "file": pdf(f"item-{index}.pdf")},
        )
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert page.count("item-1.pdf") >= 2 and 'id="supplement-file-1"' in page  # still open
    client.post(
        reverse("dossiers:act", args=[dossier.pk, "answer_supplement"]),
        {"answer_supplement-comment": "Đã bổ sung"},
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEW


def test_people_read_the_dossier_code_never_the_database_id(client, world, birth, working_morning):
    ids = _docs(birth)
    dossier = services.dossier_create_at_counter(
        actor=world.clerk,
        procedure=birth,
        applicant={"name": "Lò Văn Piên"},
        papers={ids["Tờ khai đăng ký khai sinh"]: [pdf()], ids["Giấy chứng sinh"]: [pdf()]},
    )
    assert dossier.code and str(dossier) == dossier.code
    client.force_login(world.clerk)
    queue = client.get(reverse("dossiers:intake_queue")).content.decode()
    assert f">{dossier.code}</a>" in queue and f">{dossier.pk}</a>" not in queue
    request = services.dossier_request_supplement(
        dossier=dossier, actor=world.clerk, items=[{"document": "Giấy chứng sinh"}], reason="Mờ"
    )
    assert str(request).startswith(dossier.code)
    form = PrintedForm.objects.get(dossier=dossier, kind="02")
    printing.render_form(form_id=form.pk)
    form.refresh_from_db()
    assert "02" in str(form) and dossier.code in str(form) and "supplement:" not in str(form)
    response = client.get(reverse("dossiers:form_download", args=[dossier.pk, form.pk]))
    disposition = response["Content-Disposition"]
    assert f"mau-02-so-{form.number:02d}-{dossier.code}.pdf" in disposition, disposition
    event = dossier.events.order_by("seq").first()
    assert str(event).startswith(dossier.code)
    draft = world.draft()
    assert str(draft) != str(draft.pk) and f"#{draft.pk}" not in str(draft)
