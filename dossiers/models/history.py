"""The dossier's append-only, hash-chained history (part of :mod:`dossiers.models`, split by job
in issue 16).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..constants import (
    Action,
    DossierStatus,
    Timeliness,
    Visibility,
)
from .dossier import Dossier


class AppendOnlyError(Exception):
    """History rows are never changed or deleted."""


class DossierEventQuerySet(models.QuerySet["DossierEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(gettext("Dossier history cannot be changed."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(gettext("Dossier history cannot be deleted."))

    def _raw_delete(self, using: Any) -> int:  # used by cascades
        raise AppendOnlyError(gettext("Dossier history cannot be deleted."))


GENESIS_HASH = "0" * 64


class DossierEvent(models.Model):
    """One row of a dossier's history: the process-control slip (form 06) and the tracking book
    (form 07) are read from here. Append-only and hash-chained per dossier: ``hash`` is SHA-256
    over the canonical JSON of the row's fields and ``prev_hash``, so a changed or deleted row
    breaks the chain (``manage.py verify_dossier_history``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.PositiveSmallIntegerField(
        _("from status"), null=True, blank=True, choices=DossierStatus.choices
    )
    to_status = models.PositiveSmallIntegerField(
        _("to status"), null=True, blank=True, choices=DossierStatus.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    from_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from agency"),
    )
    to_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to agency"),
    )
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    step_timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)
    #: Internal rows (a leader's send-back note, the draft result) are shown to staff only.
    visibility = models.CharField(
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        db_default=Visibility.PUBLIC,
    )
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossierevent_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.seq} · {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(gettext("Dossier history cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(gettext("Dossier history cannot be deleted."))

    def canonical_payload(self) -> dict[str, Any]:
        return {
            "dossier": self.dossier_id,
            "seq": self.seq,
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "actor": self.actor_id,
            "from_user": self.from_user_id,
            "to_user": self.to_user_id,
            "from_agency": self.from_agency_id,
            "to_agency": self.to_agency_id,
            "comment": self.comment,
            "data": self.data,
            "step_timeliness": self.step_timeliness,
            "created_at": self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "prev_hash": self.prev_hash,
            # Only internal rows carry the field, so the rows written before it keep their hash.
            **({"visibility": self.visibility} if self.visibility != Visibility.PUBLIC else {}),
        }

    def compute_hash(self) -> str:
        blob = json.dumps(
            self.canonical_payload(),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
