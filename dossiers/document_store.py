"""The applicant's document store (kho dữ liệu của công dân): files and results of his earlier
dossiers, which a new dossier may reuse instead of uploading again (Decision 766: reused data).

Nghị định 45/2020/NĐ-CP (administrative procedures online), Điều 16: every organisation and
person has an electronic data store on the portal, holding the documents they submitted and the
results issued to them, reused for later procedures; Decision 1565/QĐ-TTg: "enter once, reuse".

* :func:`store_collect` files a dossier's submitted documents and, once returned, its signed
  electronic result into the owner's store (idempotent; run on every "dossier changed" event by
  :func:`collect_task`, subscribed in :class:`dossiers.apps.DossiersConfig`);
* :func:`store_suggestions` offers, for each required document of a new dossier, the stored
  documents of the same kind that are still valid; :func:`store_reuse` attaches one in one click,
  marked as reused (``DossierFile.store_document``);
* :func:`reuse_figures` is what Decision 766's "digitised data reused" component reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .constants import DossierStatus
from .exceptions import DossierError
from .models import Dossier, DossierFile, StoredDocument, StoredDocumentKind, StoredDocumentSource

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


def reusable_files_for(user: Actor, *, exclude_dossier: Any = None) -> QuerySet[DossierFile]:
    """Files of the applicant's own submitted dossiers (drafts excluded), newest first."""
    if not getattr(user, "is_applicant", False):
        return DossierFile.objects.none()
    qs = (
        DossierFile.objects.filter(dossier__applicant=user, reused_from__isnull=True)
        .exclude(dossier__status=DossierStatus.DRAFT)
        .select_related("dossier")
        .order_by("-uploaded_at")
    )
    if exclude_dossier is not None:
        qs = qs.exclude(dossier=exclude_dossier)
    return qs


_KIND_WORDS: list[tuple[str, str]] = [
    (
        StoredDocumentKind.ID_CARD,
        r"căn cước|cccd|cmnd|chứng minh nhân dân|hộ chiếu|giấy tờ tùy thân|giấy tờ tuỳ thân|định danh",
    ),
    (StoredDocumentKind.RESIDENCE, r"cư trú|hộ khẩu|tạm trú"),
    (StoredDocumentKind.BIRTH_CERTIFICATE, r"khai sinh"),
    (StoredDocumentKind.MARRIAGE, r"kết hôn|hôn nhân"),
    (StoredDocumentKind.JUDICIAL_RECORD, r"lý lịch tư pháp"),
    (StoredDocumentKind.DIPLOMA, r"văn bằng|bằng tốt nghiệp|chứng chỉ"),
    (StoredDocumentKind.PERMIT, r"giấy phép"),
    (StoredDocumentKind.BUSINESS, r"đăng ký doanh nghiệp|đăng ký kinh doanh"),
]


def guess_kind(name: str) -> str:
    """The kind of a document from its name in the catalogue (Vietnamese), or ``other``."""
    low = (name or "").lower()
    if low.startswith(("tờ khai", "đơn ", "giấy đề nghị")):
        return StoredDocumentKind.OTHER  # a declaration is made anew for each dossier
    for kind, words in _KIND_WORDS:
        if re.search(words, low):
            return kind
    return StoredDocumentKind.OTHER


def _is_declaration(f: DossierFile) -> bool:
    from .eforms import DECLARATION_NAME

    return f.original_name == DECLARATION_NAME or f.document_name.lower().startswith(
        ("tờ khai", "đơn ", "giấy đề nghị")
    )


@transaction.atomic
def store_collect(dossier: Dossier | int) -> int:
    """File what a dossier brought into its applicant's store; returns the number added.

    Submitted files (not the e-form's declaration, not files that were themselves reused) once
    the dossier left the draft; the electronic result once it was returned with a signature.
    Idempotent: a document already in the store (same owner and SHA-256) is not added again.
    """
    d = Dossier.objects.select_related("applicant", "procedure_version").get(
        pk=dossier.pk if isinstance(dossier, Dossier) else dossier
    )
    owner = d.applicant
    if owner is None or not owner.is_applicant or d.status == DossierStatus.DRAFT:
        return 0
    added = 0
    for f in d.files.filter(reused_from__isnull=True, store_document__isnull=True):
        if _is_declaration(f):
            continue
        _obj, created = StoredDocument.objects.get_or_create(
            owner=owner,
            sha256=f.sha256,
            defaults={
                "kind": guess_kind(f.document_name),
                "title": f.document_name,
                "source": StoredDocumentSource.SUBMITTED,
                "source_dossier": d,
                "source_file": f,
                "file": f.file.name,
                "original_name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
            },
        )
        added += created
    if d.status == DossierStatus.RETURNED and d.result_file:
        from .result_signing import signed_result_of

        signed = signed_result_of(d)
        if signed is not None:
            import hashlib

            with d.result_file.open("rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
            name = d.procedure_version.snapshot.get("result") or d.procedure_version.snapshot.get(
                "name", ""
            )
            _obj, created = StoredDocument.objects.get_or_create(
                owner=owner,
                sha256=digest,
                defaults={
                    "kind": guess_kind(name)
                    if guess_kind(name) != StoredDocumentKind.OTHER
                    else StoredDocumentKind.RESULT,
                    "title": (name or "Kết quả")[:500],
                    "source": StoredDocumentSource.RESULT,
                    "source_dossier": d,
                    "file": d.result_file.name,
                    "original_name": f"ket-qua-{d.code}.pdf" if d.code else "ket-qua.pdf",
                    "content_type": "application/pdf",
                    "size": d.result_file.size,
                    "is_signed": True,
                },
            )
            added += created
    return added


@shared_task(name="dossiers.document_store.collect_task", ignore_result=True, acks_late=True)
def collect_task(*, dossier_id: int, event_id: int) -> int:
    """ "Dossier changed" subscriber: file what the dossier brought into the store (idempotent)."""
    if not Dossier.objects.filter(pk=dossier_id).exists():
        return 0
    return store_collect(dossier_id)


def store_documents_for(user: Actor) -> QuerySet[StoredDocument]:
    """The applicant's store, newest first (another's documents are never listed)."""
    if not getattr(user, "is_applicant", False):
        return StoredDocument.objects.none()
    return StoredDocument.objects.filter(owner=user).select_related("source_dossier")


def _valid(qs: QuerySet[StoredDocument]) -> QuerySet[StoredDocument]:
    return qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))


def store_suggestions(
    user: Actor, documents: list[dict[str, Any]]
) -> dict[int, list[StoredDocument]]:
    """For each required document (snapshot dicts), the valid stored documents of its kind."""
    stored = list(_valid(store_documents_for(user))[:100])
    out: dict[int, list[StoredDocument]] = {}
    for doc in documents:
        kind = guess_kind(doc["name"])
        if kind == StoredDocumentKind.OTHER:
            continue
        hits = [s for s in stored if s.kind == kind]
        if hits:
            out[doc["id"]] = hits[:3]
    return out


@transaction.atomic
def store_reuse(
    *, dossier: Dossier, actor: Actor, stored: StoredDocument, document_id: int | None
) -> DossierFile:
    """Attach a stored document to a dossier for one required document (one click, no upload),
    marked as reused so Decision 766 counts it."""
    from .services import may_attach_files

    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    if stored.owner_id != getattr(actor, "pk", None) or not may_attach_files(dossier, actor):
        raise PermissionDenied()
    if stored.valid_until is not None and stored.valid_until < timezone.localdate():
        raise DossierError(_("This stored document has expired."), code="document_expired")
    documents = {
        d["id"]: d["name"] for d in dossier.procedure_version.snapshot.get("documents", [])
    }
    if document_id is not None and document_id not in documents:
        raise DossierError(
            _("This document is not part of the procedure."), code="document_not_in_procedure"
        )
    DossierFile.objects.filter(dossier=dossier, document_id=document_id).delete()
    return DossierFile.objects.create(
        dossier=dossier,
        document_id=document_id,
        document_name=documents.get(document_id, stored.title),
        file=stored.file.name,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor,
        store_document=stored,
        reused_from=stored.source_file,
        is_supplement=dossier.status == DossierStatus.SUPPLEMENT_REQUESTED,
    )


# --- Decision 766: digitisation / reuse -----------------------------------------------------------


@dataclass(frozen=True)
class ReuseFigures:
    received: int  # dossiers received in the period (status 2 reached)
    reusing: int  # of which reused a stored document or e-ID-verified data
    reused_files: int  # files reused from earlier dossiers or the store


def reuse_figures(
    *, start: Any, end: Any, agency_ids: tuple[int, ...] | None = None
) -> ReuseFigures:
    """Dossiers received between ``start`` and ``end`` (dates, inclusive) in the agencies' subtrees
    that reused digitised documents (a reused file) or data (e-form fields locked from the e-ID).

    For Decision 766's "digitised data reused" component (dashboards.index766)."""
    from datetime import datetime, time, timedelta

    from portal.agencies.models import Agency

    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    qs = Dossier.objects.filter(received_at__gte=lo, received_at__lt=hi)
    if agency_ids:
        scope = Q()
        for a in Agency.objects.filter(pk__in=agency_ids):
            scope |= Q(receiving_agency__path=a.path) | Q(
                receiving_agency__path__startswith=a.path + "/"
            )
        qs = qs.filter(scope)
    reused = DossierFile.objects.filter(dossier=OuterRef("pk")).filter(
        Q(reused_from__isnull=False) | Q(store_document__isnull=False)
    )
    qs = qs.annotate(has_reuse=Exists(reused))
    received = qs.count()
    reusing = qs.filter(Q(has_reuse=True) | Q(form_data__has_key="eform_verified")).count()
    files = (
        DossierFile.objects.filter(dossier__in=qs.values("pk"))
        .filter(Q(reused_from__isnull=False) | Q(store_document__isnull=False))
        .count()
    )
    return ReuseFigures(received, reusing, files)
