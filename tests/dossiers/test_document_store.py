"""The citizen's document store (Nghị định 45/2020/NĐ-CP Điều 16; Decision 1565 "enter once,
reuse"): submitted documents and signed results go in by themselves; a new dossier reuses one
in one click, marked as reused, and Decision 766's "digitised data reused" counts it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.index766 import CatalogueFigures, IndexInputs, compute
from dossiers import document_store, services
from dossiers.constants import DossierStatus
from dossiers.document_store import ReuseFigures, reuse_figures, store_collect
from dossiers.events import subscribers
from dossiers.models import (
    Dossier,
    DossierFile,
    StoredDocument,
    StoredDocumentKind,
    StoredDocumentSource,
)
from procedures.models import RequiredDocument
from procedures.services import procedure_publish

from .conftest import pdf
from .test_pages_applicant import _png


@pytest.fixture
def idworld(world):
    RequiredDocument.objects.filter(procedure=world.procedure, order=2).update(
        name="Bản sao Căn cước công dân", is_required=True
    )
    procedure_publish(procedure=world.procedure)
    return world


def _submit_with_id_card(w) -> Dossier:
    d = services.dossier_save_draft(
        actor=w.citizen, procedure=w.procedure, agency=w.agency, form_data={}
    )
    docs = d.procedure_version.snapshot["documents"]
    services.dossier_add_file(
        dossier=d, actor=w.citizen, uploaded_file=pdf("to-khai.pdf"), document_id=docs[0]["id"]
    )
    services.dossier_add_file(
        dossier=d, actor=w.citizen, uploaded_file=_png("cccd.png"), document_id=docs[1]["id"]
    )
    return services.dossier_submit(dossier=d, actor=w.citizen)


def test_the_store_is_a_dossier_changed_subscriber():
    assert document_store.collect_task.name in subscribers()


def test_submitted_documents_go_into_the_store_once(idworld, working_morning):
    d = _submit_with_id_card(idworld)
    # the ID card goes in; the declaration ("Tờ khai ...") is made anew for each dossier and does not
    assert document_store.collect_task(dossier_id=d.pk, event_id=0) == 1
    assert store_collect(d) == 0  # idempotent
    kinds = dict(StoredDocument.objects.filter(owner=idworld.citizen).values_list("title", "kind"))
    assert kinds == {"Bản sao Căn cước công dân": StoredDocumentKind.ID_CARD}
    assert (
        StoredDocument.objects.get(kind=StoredDocumentKind.ID_CARD).source
        == StoredDocumentSource.SUBMITTED
    )


def test_a_draft_fills_nothing(idworld, working_morning):
    d = services.dossier_save_draft(
        actor=idworld.citizen, procedure=idworld.procedure, agency=idworld.agency, form_data={}
    )
    services.dossier_add_file(
        dossier=d,
        actor=idworld.citizen,
        uploaded_file=pdf(),
        document_id=d.procedure_version.snapshot["documents"][0]["id"],
    )
    assert store_collect(d) == 0 and not StoredDocument.objects.exists()


def test_one_click_reuse_marks_the_file_and_is_counted(client, idworld, working_morning):
    first = _submit_with_id_card(idworld)
    store_collect(first)
    card = StoredDocument.objects.get(kind=StoredDocumentKind.ID_CARD)
    card.valid_until = date(2040, 1, 1)
    card.save()
    client.force_login(idworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": idworld.procedure.code})
    page = client.get(url).content.decode()
    assert f'data-store-document="{card.pk}"' in page and "01/01/2040" in page
    doc_id = idworld.procedure.versions.order_by("-version").first().snapshot["documents"][1]["id"]
    resp = client.post(
        url,
        {"agency": idworld.agency.pk, "applicant_name": "Lò Thị Hoa", f"store_{doc_id}": card.pk},
    )
    assert resp.status_code == 302
    draft = Dossier.objects.get(status=DossierStatus.DRAFT)
    reused = draft.files.get(document_id=doc_id)
    assert reused.store_document == card and reused.is_reused and reused.sha256 == card.sha256
    assert "reused-mark" in client.get(resp.url).content.decode()
    # submitted and received: Decision 766's reuse component counts it
    doc0 = draft.procedure_version.snapshot["documents"][0]["id"]
    services.dossier_add_file(
        dossier=draft, actor=idworld.citizen, uploaded_file=pdf(), document_id=doc0
    )
    services.dossier_submit(dossier=draft, actor=idworld.citizen)
    services.dossier_receive(dossier=first, actor=idworld.clerk)
    services.dossier_receive(dossier=draft, actor=idworld.clerk)
    today = timezone.localdate()
    figures = reuse_figures(
        start=today - timedelta(days=1), end=today, agency_ids=(idworld.agency.pk,)
    )
    assert figures == ReuseFigures(received=2, reusing=1, reused_files=1)
    assert (
        reuse_figures(start=today, end=today, agency_ids=(idworld.other_agency.pk,)).received == 0
    )
    score = compute(IndexInputs(_Figures(), CatalogueFigures(), reuse=figures)).component(
        "reused_data"
    )
    assert (
        score.has_data
        and score.value == pytest.approx(0.5)
        and score.points == pytest.approx(6 * 0.5 / 0.8)
    )  # full points at 80% (docs/regulations.md)


class _Figures:
    def __getattr__(self, name):
        return {} if name == "rating_counts" else 0


def test_an_expired_or_anothers_stored_document_cannot_be_reused(client, idworld, working_morning):
    store_collect(_submit_with_id_card(idworld))
    card = StoredDocument.objects.get(kind=StoredDocumentKind.ID_CARD)
    card.valid_until = date(2020, 1, 1)
    card.save()
    client.force_login(idworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": idworld.procedure.code})
    assert f'data-store-document="{card.pk}"' not in client.get(url).content.decode()  # not offered
    doc_id = idworld.procedure.versions.order_by("-version").first().snapshot["documents"][1]["id"]
    resp = client.post(
        url, {"agency": idworld.agency.pk, "applicant_name": "X", f"store_{doc_id}": card.pk}
    )
    assert resp.status_code == 200 and "hết hạn" in resp.content.decode()
    client.force_login(idworld.other_citizen)
    resp = client.post(
        url, {"agency": idworld.agency.pk, "applicant_name": "Y", f"store_{doc_id}": card.pk}
    )
    assert resp.status_code == 404
    assert not DossierFile.objects.filter(store_document=card).exists()
