"""Writes to the catalogue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .constants import PublicationState
from .models import Procedure, ProcedureVersion


def procedure_snapshot(procedure: Procedure) -> dict[str, Any]:
    """Everything a dossier needs to be processed under this procedure's rules."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "name_en": procedure.name_en,
        "sector": procedure.sector.code,
        "level": procedure.level,
        "processing_time": str(procedure.processing_time),
        "time_unit": procedure.time_unit,
        "cutoff_time": procedure.cutoff_time.isoformat() if procedure.cutoff_time else None,
        "result": procedure.result,
        "form_fields": procedure.form_fields,
        "eform": procedure.eform or {},
        "agency_levels": procedure.agency_levels,
        "fees": [
            {
                "name": f.name,
                "amount": str(f.amount),
                "applies_to": f.applies_to,
                "kind": f.kind,
                "free_copies": f.free_copies,
            }
            for f in procedure.fees.all()
        ],
        "documents": [
            {
                "id": d.pk,
                "order": d.order,
                "name": d.name,
                "paper_kind": d.paper_kind,
                "copies": d.copies,
                "is_required": d.is_required,
            }
            for d in procedure.documents.all()
        ],
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "role": s.role,
                "department_hint": s.department_hint,
                "share_percent": str(s.share_percent),
            }
            for s in procedure.steps.all()
        ],
    }


@transaction.atomic
def procedure_publish(*, procedure: Procedure) -> ProcedureVersion:
    """Publish the procedure's current content as a new frozen version."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    procedure.version += 1
    procedure.state = PublicationState.PUBLISHED
    procedure.published_at = timezone.now()
    procedure.save(update_fields=["version", "state", "published_at"])
    return ProcedureVersion.objects.create(
        procedure=procedure, version=procedure.version, snapshot=procedure_snapshot(procedure)
    )


def procedure_current_version(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.order_by("-version").first()
