"""The applicant's document store (kho dữ liệu của công dân): files and results of his earlier
dossiers, which a new dossier may reuse instead of uploading again (Decision 766: reused data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .constants import DossierStatus
from .models import DossierFile


def reusable_files_for(user: Any, *, exclude_dossier: Any = None) -> QuerySet[DossierFile]:
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
