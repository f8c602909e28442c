"""The province's working-day calendar.

The national days off and the government's day swaps come from the ``holidays`` package
(``holidays.VN``); a province adds its own :class:`DeclaredDay` rows (days off, make-up working
days) through the admin. Working hours default to those of Vietnamese civil servants: 07:00–11:30
and 13:30–17:00, eight hours a day, Saturday and Sunday off.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import WEEKDAY_CHOICES, DeclaredDayKind


def default_weekend_days() -> list[int]:
    return [5, 6]


def new_revision() -> str:
    return uuid.uuid4().hex


class WorkCalendar(models.Model):
    province = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_calendars",
        verbose_name=_("province"),
        help_text=_("The province (or agency) this calendar applies to. Empty: the whole portal."),
    )
    name = models.CharField(_("name"), max_length=200)
    morning_start = models.TimeField(_("morning starts"), default=dt.time(7, 0))
    morning_end = models.TimeField(_("morning ends"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("afternoon starts"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("afternoon ends"), default=dt.time(17, 0))
    weekend_days = models.JSONField(
        _("weekend days"),
        default=default_weekend_days,
        help_text=_("Days of the week that are not working days (0 = Monday … 6 = Sunday)."),
    )
    #: Changes whenever a declared day is added, changed or removed: the cache key of the
    #: per-year day sets contains it, so no process ever reads a stale year.
    revision = models.CharField(
        verbose_name=_("revision"), max_length=32, default=new_revision, editable=False
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("working-day calendar")
        verbose_name_plural = _("working-day calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                _(
                    "Working hours must be in order: morning start < morning end ≤ afternoon start < afternoon end."
                )
            )
        days = self.weekend_days
        valid = {value for value, _label in WEEKDAY_CHOICES}
        if (
            not isinstance(days, list)
            or any(not isinstance(d, int) or d not in valid for d in days)
            or len(set(days)) >= 7
        ):
            raise ValidationError(
                {
                    "weekend_days": _(
                        "Weekend days must be a list of numbers 0–6, with at least one working day left."
                    )
                }
            )

    @property
    def seconds_per_day(self) -> int:
        """Working seconds in a full working day (8 h with the default hours)."""

        def span(a: dt.time, b: dt.time) -> int:
            return (b.hour * 3600 + b.minute * 60 + b.second) - (
                a.hour * 3600 + a.minute * 60 + a.second
            )

        return span(self.morning_start, self.morning_end) + span(
            self.afternoon_start, self.afternoon_end
        )


class DeclaredDay(models.Model):
    """A day the province declares off, or a weekend day it declares a make-up working day."""

    calendar = models.ForeignKey(
        WorkCalendar,
        on_delete=models.CASCADE,
        related_name="declared_days",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=24, choices=DeclaredDayKind.choices)
    reason = models.CharField(_("reason"), max_length=255)
    #: The text that makes it so (the Government's notice, the Labour Code article).
    source = models.CharField(_("source"), max_length=500, blank=True, default="", db_default="")
    #: Not yet notified (a lunar holiday computed ahead of the Government's notice).
    is_estimate = models.BooleanField(
        _("estimate, awaiting the official notice"), default=False, db_default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="workcalendar_declared_day_unique"
            )
        ]
        verbose_name = _("declared day")
        verbose_name_plural = _("declared days")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"
