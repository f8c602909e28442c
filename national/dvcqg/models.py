"""What the DVCQG adapter keeps: the sync state of each dossier, one row per change to send, the
dossiers that arrived from DVCQG, the nonces of signed pushes, and the national catalogue.

Why rows and not only Celery messages: delivery to DVCQG must be exactly-once in effect and in
order per dossier (issue 17, "Changes out"). A Celery message can be delivered twice or late; a
row per (dossier, event) with a unique key and a per-dossier cursor (``acked_seq``) cannot.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Acknowledged by DVCQG")
    FAILED = "failed", _("Failed (resend from the admin page)")


class DossierSync(models.Model):
    """The per-dossier sync cursor: every change up to ``acked_seq`` was acknowledged by DVCQG.

    ``lease_until`` is the claim of the worker sending this dossier's batch now (an atomic
    conditional UPDATE, docs/tech-facts.md "Celery and Redis": exactly-once effect); a crashed
    worker's lease expires.
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="dvcqg_sync",
        primary_key=True,
    )
    acked_seq = models.PositiveIntegerField(_("last acknowledged change"), default=0)
    created_on_dvcqg = models.BooleanField(_("known to DVCQG"), default=False)
    lease_until = models.DateTimeField(verbose_name=_("lease until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_sent_at = models.DateTimeField(_("last acknowledged at"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("last reconciled at"), null=True, blank=True)
    reconcile_difference = models.TextField(
        _("difference found by the last reconciliation"), blank=True
    )

    class Meta:
        verbose_name = _("DVCQG sync state")
        verbose_name_plural = _("DVCQG sync states")

    def __str__(self) -> str:
        return f"{self.dossier_id}@{self.acked_seq}"


class OutboundChange(models.Model):
    """One change of a dossier (a history row) to be sent to DVCQG; unique per (dossier, event)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="dvcqg_changes",
    )
    event = models.OneToOneField(
        "dossiers.DossierEvent",
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="dvcqg_change",
    )
    seq = models.PositiveIntegerField(verbose_name=_("seq"))
    state = models.CharField(
        verbose_name=_("state"),
        max_length=10,
        choices=ChangeState.choices,
        default=ChangeState.PENDING,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    event_at = models.DateTimeField(
        verbose_name=_("event at"),
        help_text=_("When the change happened (the history row's time)."),
    )
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    is_resend = models.BooleanField(verbose_name=_("is resend"), default=False)

    class Meta:
        ordering = ["dossier", "seq"]
        verbose_name = _("change sent to DVCQG")
        verbose_name_plural = _("changes sent to DVCQG")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dvcqg_change_dossier_seq")
        ]
        indexes = [models.Index(fields=["state", "dossier"], name="dvcqg_change_state")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.state}"


class InboundDossier(models.Model):
    """A dossier filed on DVCQG and received here (pushed or polled), once per national code."""

    national_code = models.CharField(_("DVCQG dossier code"), max_length=60, unique=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="dvcqg_inbound",
    )
    via = models.CharField(
        verbose_name=_("via"), max_length=10, choices=[("push", "push"), ("poll", "poll")]
    )
    payload_sha256 = models.CharField(verbose_name=_("payload sha256"), max_length=64)
    vneid_verified = models.BooleanField(_("account verified with VNeID"), default=False)
    received_at = models.DateTimeField(verbose_name=_("received at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(verbose_name=_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier received from DVCQG")
        verbose_name_plural = _("dossiers received from DVCQG")

    def __str__(self) -> str:
        return self.national_code


class PushNonce(models.Model):
    """Nonces of signed pushes already accepted: a replayed request is refused (unique key)."""

    nonce = models.CharField(max_length=80, unique=True)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.nonce


class NationalProcedure(models.Model):
    """One procedure of the national catalogue (LayDanhSachTTHC / LayThuTuc), as last pulled."""

    code = models.CharField(_("national code (MaTTHC)"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=1000)
    sector_code = models.CharField(_("sector code"), max_length=40, blank=True)
    sector_name = models.CharField(_("sector name"), max_length=500, blank=True)
    processing_time = models.CharField(_("processing time"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("online service level"), null=True, blank=True)
    raw = models.JSONField(_("raw record"), default=dict)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("procedure"),
    )
    pulled_at = models.DateTimeField(_("pulled at"))
    accepted_at = models.DateTimeField(_("differences accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("national catalogue entry")
        verbose_name_plural = _("national catalogue")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    SECTOR = "sector", _("Sector")


class NationalUnit(models.Model):
    """One entry of DVCQG's agency list (``LayDanhMucCoQuan``: ``MADONVI``, ``TENDONVI``,
    ``CAPDONVI``) or sector list (``LayDanhMucLinhVuc``: ``MALINHVUC``, ``TENLINHVUC``), as last
    pulled with the catalogue (OpenCPS ``doSyncGovernmentAgency``), compared with the local agency
    or sector of the same code."""

    kind = models.CharField(max_length=10, choices=UnitKind.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=500)
    level = models.CharField(_("level"), max_length=20, blank=True)
    raw = models.JSONField(default=dict)
    pulled_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("national agency or sector")
        verbose_name_plural = _("national agencies and sectors")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="dvcqg_unit_kind_code")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} {self.name}"
