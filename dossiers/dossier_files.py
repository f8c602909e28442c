"""The files of a dossier: who may attach them and when, attaching (checked by
:func:`portal.core.uploads.validate_upload`), reusing an earlier dossier's file, filing a file
under an item of the open supplement request, removing. Split from :mod:`dossiers.services`
(issue 16), which re-exports every name here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.core.text import fold
from portal.core.uploads import validate_upload

from . import effects, workflow
from .constants import DossierStatus
from .effects import lock
from .exceptions import DossierError, PermissionDenied
from .models import Dossier, DossierFile

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


def may_attach_files(dossier: Dossier, actor: Actor) -> bool:
    """Whether ``actor`` may attach files now: the applicant to his draft or when supplements are
    requested; the receiving agency's clerk at intake (status 1) or for supplements (status 5)."""
    owner = workflow.actor_matches(dossier, actor, "applicant", workflow.OWNER)
    clerk = workflow.actor_matches(dossier, actor, Role.CLERK, workflow.RECEIVING)
    if dossier.status == DossierStatus.DRAFT:
        return owner
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        return owner or clerk
    if dossier.status == DossierStatus.NEW:
        return clerk
    return False


@transaction.atomic
def dossier_add_file(
    *,
    dossier: Dossier,
    actor: Actor,
    uploaded_file: UploadedFile,
    document_id: int | None = None,
    is_digitised: bool = False,
    supplement_item: int | None = None,
) -> DossierFile:
    """Attach a file for one required document, checked by :func:`portal.core.uploads.validate_upload`
    (PDF, JPEG or PNG by content, size limit, not damaged).

    The applicant attaches to his draft or when supplements are requested; the clerk attaches
    scans at intake (``is_digitised``: digitised at the counter, counted by Decision 766).
    ``supplement_item`` is the position of an item of the open supplement request: the file is
    filed under that item (its slot), until the answer is sent.
    """
    dossier = lock(dossier)
    if not may_attach_files(dossier, actor):
        raise PermissionDenied(_("Files cannot be attached to this dossier now."))
    documents = {
        d["id"]: d["name"] for d in dossier.procedure_version.snapshot.get("documents", [])
    }
    if document_id is not None and document_id not in documents:
        raise DossierError(_("This document is not part of the procedure."))
    item_name = None
    if supplement_item is not None:
        item_name, document_id = supplement_slot(dossier, supplement_item)
    try:
        checked = validate_upload(uploaded_file)
    except ValidationError as exc:
        raise DossierError(" ".join(exc.messages)) from None
    staff = getattr(actor, "is_staff_member", False)
    item = DossierFile(
        dossier=dossier,
        document_id=document_id,
        document_name=item_name or documents.get(document_id, "Giấy tờ khác"),
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        is_digitised=bool(is_digitised and staff),
        is_supplement=dossier.status == DossierStatus.SUPPLEMENT_REQUESTED,
        uploaded_by=actor,
    )
    uploaded_file.seek(0)
    item.file.save(checked.stored_name, uploaded_file, save=False)
    item.save()
    return item


def supplement_slot(dossier: Dossier, index: int) -> tuple[str, int | None]:
    """The item ``index`` of the open supplement request: the name its files are filed under, and
    the procedure document it names (same name, diacritics and case ignored), if any."""
    request = effects.open_supplement_request(dossier)
    items = request.items if request is not None else []
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or not 0 <= index < len(items):
        raise DossierError(_("This item was not requested."), code="not_requested")
    name = str(items[index].get("document", ""))[:500]
    by_name = {
        fold(d["name"]): d["id"] for d in dossier.procedure_version.snapshot.get("documents", [])
    }
    return name, by_name.get(fold(name))


@transaction.atomic
def dossier_reuse_file(
    *, dossier: Dossier, actor: Actor, source: DossierFile, document_id: int | None = None
) -> DossierFile:
    """Reuse a file from one of the applicant's earlier dossiers instead of uploading it again."""
    dossier = lock(dossier)
    if (
        not may_attach_files(dossier, actor)
        or source.dossier.applicant_id != actor.pk
        or not getattr(actor, "is_applicant", False)
    ):
        raise PermissionDenied()
    documents = {
        d["id"]: d["name"] for d in dossier.procedure_version.snapshot.get("documents", [])
    }
    if document_id is not None and document_id not in documents:
        raise DossierError(_("This document is not part of the procedure."))
    return DossierFile.objects.create(
        dossier=dossier,
        document_id=document_id,
        document_name=documents.get(document_id, source.document_name),
        file=source.file.name,
        original_name=source.original_name,
        content_type=source.content_type,
        size=source.size,
        sha256=source.sha256,
        uploaded_by=actor,
        reused_from=source.reused_from or source,
        is_supplement=dossier.status == DossierStatus.SUPPLEMENT_REQUESTED,
    )


@transaction.atomic
def dossier_remove_file(*, dossier_file: DossierFile, actor: Actor) -> None:
    dossier = lock(dossier_file.dossier_id)
    if not may_attach_files(dossier, actor):
        raise PermissionDenied()
    DossierFile.objects.filter(pk=dossier_file.pk, dossier=dossier).delete()
