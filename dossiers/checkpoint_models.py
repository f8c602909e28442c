"""Signed, time-stamped checkpoints of every dossier history's head (see :mod:`dossiers.checkpoints`).

Two append-only tables: in PostgreSQL a row trigger refuses UPDATE and DELETE and a statement trigger
refuses TRUNCATE (migration 0006), and the application's database role is granted SELECT and INSERT
only (README, "Database roles"), so the portal's own connection cannot rewrite a checkpoint.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryCheckpoint(models.Model):
    """One checkpoint: the heads of the chains that moved since the previous one, with the
    province's signature over the statement and a TSA time-stamp over the signature."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    created_at = models.DateTimeField(_("created at"))
    prev_digest = models.CharField(max_length=64)
    heads_digest = models.CharField(max_length=64)
    heads_count = models.PositiveIntegerField(default=0)
    dossiers_total = models.PositiveIntegerField(default=0)
    statement = models.TextField()
    digest = models.CharField(max_length=64, unique=True)
    signature = models.BinaryField()
    certificate_pem = models.TextField()
    timestamp_token = models.BinaryField()
    timestamped_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("history checkpoint")
        verbose_name_plural = _("history checkpoints")

    def __str__(self) -> str:
        return f"#{self.number} {self.created_at:%Y-%m-%d %H:%M}"


class HistoryCheckpointHead(models.Model):
    """A chain head at a checkpoint: dossier, last sequence number, hash of that row. No foreign key:
    a deleted dossier must leave its head behind as evidence."""

    checkpoint = models.ForeignKey(
        HistoryCheckpoint, on_delete=models.PROTECT, related_name="heads"
    )
    dossier_id = models.BigIntegerField(db_index=True)
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "dossier_id"], name="checkpointhead_unique"
            )
        ]
        indexes = [models.Index(fields=["dossier_id", "seq"], name="checkpointhead_dossier_seq")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq}"
