"""Routing by procedure version (issue 17): a version says where its dossiers are processed —
here, in a ministry's system, or elsewhere (``ProcedureVersion.processed_in``). Rerouting a
dossier to another version never restarts its legal deadline: the counting start, the appointment
date and the paused time stay as reception set them (Decree 118/2025: the time limit runs from
reception; a transfer between systems is not a new reception)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from dossiers.constants import Action
from dossiers.history import append_event
from dossiers.models import Dossier
from procedures.models import ProcedureVersion

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


class RoutingError(Exception):
    pass


def processing_place(dossier: Dossier) -> tuple[str, str]:
    """(``processed_in``, ``processing_system``) of the dossier's version."""
    version = dossier.procedure_version
    return version.processed_in, version.processing_system


PLACE_TEXT = {
    "local": "tại hệ thống của tỉnh",
    "ministry": "tại hệ thống của Bộ, ngành",
    "other": "tại hệ thống khác",
}


@transaction.atomic
def reroute(*, dossier: Dossier, version: ProcedureVersion, actor: Actor | None = None) -> Dossier:
    """Move a dossier to another version of its procedure; deadlines are kept.

    The move is a hand-over between systems, so it is written to the dossier's history as a
    transfer (form 06 lists every hand-over, TT 03/2025) with the versions and the system in its
    data; that row is also what the DVCQG sync sends as a progress step. The status, the
    appointment date, the counting start and the paused time are not touched (Decree 118/2025:
    the time limit runs from reception)."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if version.procedure_id != locked.procedure_id:
        raise RoutingError("Phiên bản không thuộc thủ tục của hồ sơ.")
    previous = locked.procedure_version
    if previous.pk == version.pk:
        return locked
    Dossier.objects.filter(pk=locked.pk).update(procedure_version=version)
    locked.refresh_from_db()
    place = PLACE_TEXT.get(version.processed_in, version.processed_in)
    system = f" ({version.processing_system})" if version.processing_system else ""
    append_event(
        locked,
        action=Action.TRANSFER,
        actor=actor,
        from_status=locked.status,
        to_status=locked.status,
        comment=f"Chuyển xử lý theo phiên bản {version.version} của thủ tục, {place}{system}",
        from_user=actor,
        to_agency=locked.handling_department or locked.receiving_agency,
        data={
            "reroute": {
                "from_version": previous.version,
                "to_version": version.version,
                "processed_in": version.processed_in,
                "processing_system": version.processing_system,
            }
        },
    )
    return locked
