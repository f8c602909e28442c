"""The hash-chained history of a dossier: appending rows and verifying chains."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .events import dossier_changed
from .models import GENESIS_HASH, Dossier, DossierEvent

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


def append_event(
    dossier: Dossier,
    *,
    action: str,
    actor: Actor | None,
    from_status: int | None,
    to_status: int | None = None,
    comment: str = "",
    from_user: Actor | None = None,
    to_user: Actor | None = None,
    from_agency: Any = None,
    to_agency: Any = None,
    data: dict | None = None,
    step_timeliness: str = "",
    visibility: str = "public",
) -> DossierEvent:
    """Append one history row. The caller holds the dossier's row lock, so ``seq`` is safe.
    ``visibility`` "internal" keeps the row out of the applicant's history (pages and API)."""
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").only("seq", "hash").first()
    event = DossierEvent(
        dossier=dossier,
        seq=(last.seq + 1) if last else 1,
        action=action,
        from_status=from_status,
        to_status=dossier.status if to_status is None else to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        from_user=from_user,
        to_user=to_user,
        from_agency=from_agency,
        to_agency=to_agency,
        comment=comment or "",
        data=data or {},
        step_timeliness=step_timeliness or "",
        visibility=visibility,
        created_at=timezone.now(),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    dossier_changed(dossier, event)
    return event


@dataclass(frozen=True)
class ChainBreak:
    dossier_id: int
    dossier_code: str
    seq: int
    reason: str


def verify_chain(events: Iterable[DossierEvent], dossier: Dossier) -> ChainBreak | None:
    """First broken row of one dossier's chain, or None. Detects a changed row (its hash no longer
    matches), a deleted row (a gap in ``seq`` or a ``prev_hash`` that does not match) and a
    reordered or inserted row."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(
                dossier.pk, dossier.code or "", expected_seq, "missing row (deleted?)"
            )
        if event.prev_hash != prev_hash:
            return ChainBreak(
                dossier.pk,
                dossier.code or "",
                event.seq,
                "previous hash does not match (row deleted or replaced)",
            )
        if event.compute_hash() != event.hash:
            return ChainBreak(dossier.pk, dossier.code or "", event.seq, "row content changed")
        prev_hash = event.hash
        expected_seq += 1
    return None


def verify_dossier(dossier: Dossier) -> ChainBreak | None:
    """Verify the chain, and that its last row leads to the dossier's current status (a deleted
    last row leaves no gap in the chain itself)."""
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    broken = verify_chain(events, dossier)
    if broken is None and events and events[-1].to_status != dossier.status:
        return ChainBreak(
            dossier.pk,
            dossier.code or "",
            events[-1].seq + 1,
            "last row missing (status does not match)",
        )
    return broken
