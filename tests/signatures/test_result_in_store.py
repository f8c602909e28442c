"""A result the portal signed and returned goes into the applicant's document store by itself
(Nghị định 45/2020/NĐ-CP Điều 16: results kept in the citizen's data store), marked signed, and
a later dossier is offered it."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.document_store import collect_task, store_documents_for
from dossiers.models import StoredDocumentSource
from tests.factories.signatures import PIN


def test_the_signed_result_goes_into_the_store(signing_world, one_page_pdf):
    world = signing_world
    dossier = world.examining()
    services.dossier_attach_draft_result(
        dossier=dossier,
        actor=world.specialist,
        uploaded_file=SimpleUploadedFile(
            "du-thao.pdf", one_page_pdf, content_type="application/pdf"
        ),
    )
    dossier = services.dossier_forward_for_approval(
        dossier=dossier, actor=world.specialist, leader=world.leader
    )
    approved = services.dossier_sign_and_approve(dossier=dossier, actor=world.leader, pin=PIN)
    collect_task(
        dossier_id=approved.pk, event_id=0
    )  # approved, not yet returned: no result in the store
    assert (
        not store_documents_for(world.citizen).filter(source=StoredDocumentSource.RESULT).exists()
    )
    returned = services.dossier_return_result(
        dossier=approved, actor=world.clerk, delivery="online"
    )
    collect_task(dossier_id=returned.pk, event_id=0)
    result = store_documents_for(world.citizen).get(source=StoredDocumentSource.RESULT)
    with returned.result_file.open("rb") as fh:
        assert result.sha256 == hashlib.sha256(fh.read()).hexdigest()
    assert (
        result.is_signed
        and result.source_dossier == returned
        and result.content_type == "application/pdf"
    )
    assert collect_task(dossier_id=returned.pk, event_id=0) == 0  # once
