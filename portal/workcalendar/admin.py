"""Administration of the working-day calendar: hours, declared days, and a year's check page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import selectors
from .constants import WEEKDAY_CHOICES
from .models import DeclaredDay, WorkCalendar


class WorkCalendarForm(forms.ModelForm):
    weekend_days = forms.TypedMultipleChoiceField(
        label=_("weekend days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WorkCalendar
        fields = [
            "name",
            "province",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "weekend_days",
        ]


class DeclaredDayForm(forms.ModelForm):
    #: Day first, as Vietnamese write it; never Django's default month-first guess (10/06 is June).
    date = forms.DateField(
        label=_("date"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y"),
    )

    class Meta:
        model = DeclaredDay
        fields = ["date", "kind", "reason", "source", "is_estimate"]


class DeclaredDayInline(admin.TabularInline):
    model = DeclaredDay
    form = DeclaredDayForm
    extra = 1
    fields = ["date", "kind", "reason", "source", "is_estimate", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    form = WorkCalendarForm
    list_display = [
        "name",
        "province",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "year_link",
    ]
    inlines = [DeclaredDayInline]

    @admin.display(description=_("days off"))
    def year_link(self, obj: WorkCalendar) -> str:
        year = timezone.localdate().year
        url = reverse("admin:workcalendar_workcalendar_days_off", args=[obj.pk])
        return format_html(
            '<a href="{}?year={}">{}</a>', url, year, _("Days off in %(year)s") % {"year": year}
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if isinstance(obj, DeclaredDay) and obj.pk is None:
                obj.created_by = request.user
            obj.save()
        formset.save_m2m()

    def get_urls(self) -> list:
        own = [
            path(
                "<int:object_id>/days-off/",
                self.admin_site.admin_view(self.days_off_view),
                name="workcalendar_workcalendar_days_off",
            )
        ]
        return own + super().get_urls()

    def days_off_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """A year's days off and make-up working days, for the administrator to check."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        calendar = get_object_or_404(WorkCalendar, pk=object_id)
        try:
            year = int(request.GET.get("year", ""))
            if not selectors.MIN_YEAR <= year <= selectors.MAX_YEAR:
                raise ValueError
        except ValueError:
            year = timezone.localdate().year
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "calendar": calendar,
            "year": year,
            "previous_year": year - 1 if year > selectors.MIN_YEAR else None,
            "next_year": year + 1 if year < selectors.MAX_YEAR else None,
            "days_off": selectors.days_off(year, calendar=calendar),
            "make_up_days": selectors.make_up_working_days(year, calendar=calendar),
            "working_day_count": selectors.working_day_count(year, calendar=calendar),
            "title": _("Days off in %(year)s — %(calendar)s")
            % {"year": year, "calendar": calendar},
        }
        return TemplateResponse(request, "workcalendar/admin/days_off.html", context)
