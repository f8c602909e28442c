"""The dashboard's filter form: period, agency (within the user's scope), sector, procedure, level.

Every page, export and API endpoint of the dashboards reads its filters through
:func:`filters_from_query`, so a bad value gets the same clear bilingual message everywhere and an
agency outside the user's scope is refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.constants import Role
from portal.accounts.selectors import agencies_in_scope
from portal.agencies.models import Agency
from portal.core.widgets import DateInput
from procedures.constants import ServiceLevel
from procedures.models import Procedure, Sector

from .selectors import Filters, period_filters

if TYPE_CHECKING:
    from portal.accounts.models import User

PERIOD_KINDS = (
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
    ("custom", _("Custom range")),
)
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_CUSTOM_DAYS = 366 * 10

#: Messages a user sees: Vietnamese first, English after (house rule for error messages).
BAD_PERIOD = _("The period is not valid.")
BAD_RANGE = _("The start date must not be after the end date.")
RANGE_TOO_LONG = _("The range may be at most 10 years.")
BAD_AGENCY = _("The agency is not valid or outside what you may see.")
BAD_CHOICE = _("The value is not valid.")


def _today() -> date:
    return timezone.localdate()


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_KINDS, required=False)
    year = forms.IntegerField(
        label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12, required=False)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4, required=False)
    start = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"), required=False, widget=DateInput()
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a date range", "To"), required=False, widget=DateInput()
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("All in my scope"),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("All sectors"),
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.all(),
        required=False,
        empty_label=_("All procedures"),
    )
    level = forms.TypedChoiceField(
        label=_("Online service level"),
        choices=[("", _("All levels")), *ServiceLevel.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(
        self, data: Any = None, *, scope: QuerySet[Agency] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.scope = scope if scope is not None else Agency.objects.all()
        # Validation only: the picker is drawn by ``options`` as the agency tree (path order), so
        # the name sort of the other pickers (``sorted_by_name``, issue 14) would be read, sorted
        # and thrown away on every dashboard request (~5 ms of CPU with 300 agencies).
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = self.scope
        self.fields["agency"].error_messages["invalid_choice"] = BAD_AGENCY
        self.fields["agency"].error_messages["invalid_pk_value"] = BAD_AGENCY
        for name in ("sector", "procedure"):
            self.fields[name].error_messages["invalid_choice"] = BAD_CHOICE
        self.fields["level"].error_messages["invalid_choice"] = BAD_CHOICE
        self.fields["period"].error_messages["invalid_choice"] = BAD_PERIOD
        for name in ("year", "month", "quarter"):
            for key in ("invalid", "min_value", "max_value"):
                self.fields[name].error_messages[key] = BAD_PERIOD
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = BAD_PERIOD
        cast(forms.ModelChoiceField, self.fields["procedure"]).queryset = Procedure.objects.only(
            "pk", "code", "name"
        ).order_by("code")
        for name in ("agency", "sector", "procedure", "level"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def options(self, name: str) -> list[tuple[str, str]]:
        """(value, label) pairs of a select, read with one light query: the page renders them
        itself (Django's widget renders each of several hundred options through a template)."""
        field: Any = self.fields[name]  # a model choice field, or the level's typed choices
        empty = [
            (
                "",
                str(field.empty_label if name != "level" else field.choices[0][1]),
            )
        ]
        if name == "agency":
            return empty + [
                (str(pk), "\u2003" * path.count("/") + n)
                for pk, path, n in self.scope.order_by("path").values_list("pk", "path", "name")
            ]
        if name == "sector":
            return empty + [
                (str(pk), n) for pk, n in Sector.objects.order_by("code").values_list("pk", "name")
            ]
        if name == "procedure":
            return empty + [
                (str(pk), f"{c} — {n}")
                for pk, c, n in Procedure.objects.order_by("code").values_list("pk", "code", "name")
            ]
        return empty + [(str(v), str(label)) for v, label in ServiceLevel.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # BaseForm.clean returns cleaned_data
        if self.errors:
            return data
        kind = data.get("period") or "month"
        data["period"] = kind
        today = _today()
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(BAD_PERIOD)
            if start > end:
                raise forms.ValidationError(BAD_RANGE)
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise forms.ValidationError(RANGE_TOO_LONG)
        else:
            data["year"] = data.get("year") or today.year
            if kind == "month":
                data["month"] = data.get("month") or today.month
            if kind == "quarter":
                data["quarter"] = data.get("quarter") or (today.month - 1) // 3 + 1
        return data

    def to_filters(self, default_agency_ids: tuple[int, ...] | None) -> Filters:
        d = self.cleaned_data
        agency = d.get("agency")
        agency_ids = (agency.pk,) if agency else default_agency_ids
        extra: dict[str, Any] = {
            "agency_ids": agency_ids,
            "sector_id": d["sector"].pk if d.get("sector") else None,
            "procedure_id": d["procedure"].pk if d.get("procedure") else None,
            "level": d.get("level"),
        }
        kind = d["period"]
        if kind == "custom":
            return Filters(start=d["start"], end=d["end"], **extra)
        if kind == "month":
            anchor = date(d["year"], d["month"], 1)
        elif kind == "quarter":
            anchor = date(d["year"], 3 * (d["quarter"] - 1) + 1, 1)
        else:
            anchor = date(d["year"], 1, 1)
        return period_filters(kind, anchor, **extra)


@dataclass
class FilterResult:
    form: DashboardFilterForm
    filters: Filters | None
    errors: list[str]

    @property
    def ok(self) -> bool:
        return self.filters is not None


def default_agency_ids(user: User) -> tuple[int, ...] | None:
    """None (the whole province) for provincial staff; otherwise the user's own agency subtree."""
    if user.is_superuser or user.has_role(Role.PROVINCIAL, Role.ADMIN):
        return None
    return (user.agency_id,) if user.agency_id else ()


def filters_from_query(query: Any, user: User) -> FilterResult:
    """Parse GET parameters into :class:`Filters` scoped to ``user``; errors are bilingual strings."""
    scope = agencies_in_scope(user)
    form = DashboardFilterForm(query or None, scope=scope)
    if not form.is_bound:
        form = DashboardFilterForm({"period": "month"}, scope=scope)
    if not form.is_valid():
        errors: list[str] = []
        for field_errors in form.errors.values():
            errors.extend(str(e) for e in field_errors)
        return FilterResult(form, None, sorted(set(errors)))
    return FilterResult(form, form.to_filters(default_agency_ids(user)), [])


def period_label(filters: Filters) -> str:
    return f"{filters.start:%d/%m/%Y} – {filters.end:%d/%m/%Y}"
