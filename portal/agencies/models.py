"""Agencies (cơ quan, đơn vị) as a tree of any depth.

Each row keeps a materialised ``path`` of its ancestors' ids so that "this agency and all its
sub-units" is one indexed ``path LIKE 'x/%'`` query, whatever the depth.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .constants import AgencyLevel

#: Official unit codes (mã định danh đơn vị, Decision 20/2020/QĐ-TTg): 000.00.xx.Hnn.
AGENCY_CODE_RE = re.compile(r"^[0-9A-Z]\d{2}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")

agency_code_validator = RegexValidator(
    AGENCY_CODE_RE,
    _("The unit code must look like 000.00.xx.Hnn."),
)


class AgencyQuerySet(models.QuerySet["Agency"]):
    def subtree_of(self, agency: Agency) -> QuerySet[Agency]:
        """The agency and every unit below it."""
        return self.filter(Q(pk=agency.pk) | Q(path__startswith=agency.path + "/"))

    def active(self) -> QuerySet[Agency]:
        return self.filter(is_active=True)


class Agency(models.Model):
    code = models.CharField(
        _("official code"), max_length=20, unique=True, validators=[agency_code_validator]
    )
    receiving_code = models.CharField(
        _("receiving-unit code"),
        max_length=20,
        blank=True,
        help_text=_(
            "Prefix of the dossier codes this unit issues, e.g. G09.20 (defaults to the official code)."
        ),
    )
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(
        verbose_name=_("path"), max_length=255, editable=False, db_index=True, default=""
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    counter_name = models.CharField(_("one-stop counter"), max_length=255, blank=True)
    counter_address = models.CharField(_("counter address"), max_length=255, blank=True)
    counter_hours = models.CharField(_("counter opening hours"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        parent = self.parent if self.parent_id else None
        self.path = f"{parent.path}/{self.pk}" if parent is not None else str(self.pk)
        kwargs["force_insert"] = False
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in Agency.objects.filter(path__startswith=old_path + "/"):
                child.path = self.path + child.path[len(old_path) :]
                Agency.objects.filter(pk=child.pk).update(path=child.path)

    @property
    def dossier_code_prefix(self) -> str:
        return self.receiving_code or self.code

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def clean(self) -> None:
        parent = self.parent
        while parent is not None:
            if self.pk and parent.pk == self.pk:
                raise ValidationError({"parent": _("An agency cannot be its own ancestor.")})
            parent = parent.parent

    def ancestors(self) -> QuerySet[Agency]:
        ids = [int(x) for x in self.path.split("/")[:-1] if x]
        return Agency.objects.filter(pk__in=ids)

    def province(self) -> Agency:
        root_id = int(self.path.split("/")[0])
        return self if root_id == self.pk else Agency.objects.get(pk=root_id)

    def is_within(self, other: Agency) -> bool:
        """True when this agency is ``other`` or one of its sub-units."""
        return self.pk == other.pk or self.path.startswith(other.path + "/")
