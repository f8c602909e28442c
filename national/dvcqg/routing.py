"""Routing by procedure version (issue 17): a version says where its dossiers are processed —
here, in a ministry's system, or elsewhere (``ProcedureVersion.processed_in``). Rerouting a
dossier to another version never restarts its legal deadline: the counting start, the appointment
date and the paused time stay as reception set them (Decree 118/2025: the time limit runs from
reception; a transfer between systems is not a new reception)."""

from __future__ import annotations

from django.db import transaction

from dossiers.models import Dossier
from procedures.models import ProcedureVersion


class RoutingError(Exception):
    pass


def processing_place(dossier: Dossier) -> tuple[str, str]:
    """(``processed_in``, ``processing_system``) of the dossier's version."""
    version = dossier.procedure_version
    return version.processed_in, version.processing_system


@transaction.atomic
def reroute(*, dossier: Dossier, version: ProcedureVersion) -> Dossier:
    """Move a dossier to another published version of its procedure; deadlines are kept."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if version.procedure_id != locked.procedure_id:
        raise RoutingError("Phiên bản không thuộc thủ tục của hồ sơ.")
    Dossier.objects.filter(pk=locked.pk).update(procedure_version=version)
    locked.refresh_from_db()
    return locked
