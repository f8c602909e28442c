"""The catalogue of administrative procedures (thủ tục hành chính).

A :class:`Procedure` is edited freely while it is a draft; publishing freezes its current content
into a :class:`ProcedureVersion` snapshot, and a dossier keeps the version it was filed under.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.text import fold

from .constants import FeeKind, PaperKind, PublicationState, ServiceLevel, StepRole, TimeUnit
from .validators import validate_form_template

procedure_code_validator = RegexValidator(
    r"^[0-9]\.[0-9]{6}(\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})?$|^[0-9A-Za-z.\-]{3,40}$",
    _("Invalid procedure code."),
)


class Sector(models.Model):
    """A field of state management (lĩnh vực), e.g. Hộ tịch (civil status)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    ordering = models.PositiveIntegerField(verbose_name=_("ordering"), default=0)

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(
        _("national code"), max_length=40, unique=True, validators=[procedure_code_validator]
    )
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    search_text = models.TextField(
        verbose_name=_("search text"),
        editable=False,
        default="",
        help_text="code + name folded for diacritic-free search",
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("sector")
    )
    level = models.PositiveSmallIntegerField(
        _("online service level"), choices=ServiceLevel.choices, default=ServiceLevel.LEVEL_2
    )
    agencies = models.ManyToManyField(
        "agencies.Agency",
        related_name="procedures",
        blank=True,
        verbose_name=_("implementing agencies"),
    )
    agency_levels = models.JSONField(
        _("agency levels"),
        default=list,
        blank=True,
        help_text=_('Agency levels this procedure applies to, e.g. ["department", "commune"].'),
    )
    processing_time = models.DecimalField(
        _("processing time"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
    )
    time_unit = models.CharField(
        _("time unit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    cutoff_time = models.TimeField(
        _("daily intake cut-off"),
        null=True,
        blank=True,
        help_text=_("Dossiers received after this time count from the next working day."),
    )
    description = models.TextField(_("how to carry it out"), blank=True)
    conditions = models.TextField(_("eligibility conditions"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    result = models.TextField(_("result"), blank=True, help_text=_("What the applicant receives."))
    applicant_types = models.CharField(_("who may apply"), max_length=255, blank=True)
    form_fields = models.JSONField(
        _("own form fields"),
        default=list,
        blank=True,
        help_text=_('Extra fields of the online form: [{"name", "label", "type", "required"}].'),
    )
    eform = models.JSONField(
        _("electronic form"),
        default=dict,
        blank=True,
        help_text=_(
            "The declaration as an electronic form: typed fields, conditions, prefill (procedures.eforms)."
        ),
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=PublicationState.choices,
        default=PublicationState.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sector__ordering", "name"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        indexes = [
            models.Index(fields=["state", "level"]),
            models.Index(fields=["sector", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(f"{self.code} {self.name} {self.name_en}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text"}
        super().save(*args, **kwargs)

    @property
    def is_online(self) -> bool:
        return self.level in (ServiceLevel.LEVEL_3, ServiceLevel.LEVEL_4)

    @property
    def level_decree_42_name(self) -> str:
        """Decree 42/2022's official Vietnamese name of the level (the API's ``level_name``)."""
        return {2: "—", 3: "Một phần", 4: "Toàn trình"}[self.level]

    @property
    def level_decree_42_label(self) -> str:
        """The same name in the reader's language, for the pages (issue 14: "Toàn trình" showed on
        English pages)."""
        from django.utils.translation import pgettext

        if self.level == ServiceLevel.LEVEL_3:
            return pgettext("Decree 42/2022 service level", "Partly online")
        if self.level == ServiceLevel.LEVEL_4:
            return pgettext("Decree 42/2022 service level", "Fully online")
        return "—"


class ProcedureFee(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("fee or charge"), max_length=255)
    amount = models.DecimalField(
        _("amount (VND)"),
        max_digits=14,
        decimal_places=0,
        validators=[MinValueValidator(Decimal("0"))],
    )
    applies_to = models.CharField(_("applies to"), max_length=500, blank=True)
    #: The applicant picks one CASE line, FIXED lines are always added, a PER_COPY line is charged
    #: for each copy beyond ``free_copies`` (procedures.fees computes the total; issue 14).
    kind = models.CharField(
        _("kind of line"), max_length=10, choices=FeeKind.choices, default=FeeKind.CASE
    )
    free_copies = models.PositiveSmallIntegerField(
        _("copies included"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_("Per-copy lines: the number of copies the other lines already include."),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} VND"


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="documents", verbose_name=_("procedure")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("document"), max_length=500)
    paper_kind = models.CharField(
        _("original / copy"), max_length=20, choices=PaperKind.choices, default=PaperKind.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField(
        _("number of copies"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    is_required = models.BooleanField(_("required"), default=True)
    template = models.FileField(
        _("form template"),
        upload_to="procedures/templates/",
        blank=True,
        validators=[validate_form_template],
    )
    template_name = models.CharField(
        _("form code"),
        max_length=120,
        blank=True,
        help_text=_("e.g. Tờ khai đăng ký khai sinh (mẫu TP/HT-2020-KS.1)"),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.name


class ProcedureStep(models.Model):
    """One step of processing: who does it and the share of the whole time it gets."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=255)
    role = models.CharField(_("performed by"), max_length=20, choices=StepRole.choices)
    department_hint = models.CharField(_("department"), max_length=255, blank=True)
    share_percent = models.DecimalField(
        _("share of the time (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("processing step")
        verbose_name_plural = _("processing steps")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "order"], name="procedurestep_order_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ProcedureVersion(models.Model):
    """A frozen copy of a procedure as published; dossiers point here, so later edits to the
    catalogue never change the rules a filed dossier is processed under."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("procedure")
    )
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    #: Where dossiers under this version are processed (issue 17, "Routing by procedure version"):
    #: here, or in a ministry's / another system (then this portal only takes them in and follows).
    processed_in = models.CharField(
        _("processed in"),
        max_length=10,
        default="local",
        choices=[
            ("local", _("This portal")),
            ("ministry", _("A ministry's system")),
            ("other", _("Another system")),
        ],
    )
    processing_system = models.CharField(
        _("processing system"),
        max_length=255,
        blank=True,
        help_text=_("Name or code of the external system, when not processed here."),
    )

    class Meta:
        ordering = ["procedure", "-version"]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="procedureversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version}"
