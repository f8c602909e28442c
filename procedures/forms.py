"""Forms of the public catalogue and of its import page."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.agencies.models import Agency
from portal.agencies.selectors import sorted_by_name

from .constants import ServiceLevel
from .models import Sector
from .selectors import MAX_QUERY_LENGTH

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class _CodeChoiceField(forms.ModelChoiceField):
    """Chooses by the object's public code (``?sector=HT``), with a message that names the value."""

    def __init__(self, *args, unknown_message: StrOrPromise, **kwargs) -> None:
        super().__init__(*args, to_field_name="code", required=False, **kwargs)
        self.error_messages["invalid_choice"] = unknown_message

    def label_from_instance(self, obj) -> str:
        return obj.name


class ProcedureSearchForm(forms.Form):
    """The catalogue's query parameters. A bad one is reported on the page, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. dang ky khai sinh")}
        ),
    )
    sector = _CodeChoiceField(
        queryset=Sector.objects.all(),
        label=_("Sector"),
        empty_label=_("All sectors"),
        unknown_message=_(
            "There is no sector with the code given in the address. The filter was ignored."
        ),
    )
    agency = _CodeChoiceField(
        queryset=Agency.objects.active().order_by("path"),
        label=_("Agency"),
        empty_label=_("All agencies"),
        unknown_message=_(
            "There is no agency with the code given in the address. The filter was ignored."
        ),
    )
    level = forms.TypedChoiceField(
        label=_("Online service level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All levels")), *ServiceLevel.choices],
        error_messages={
            "invalid_choice": _(
                "The online service level must be 2, 3 or 4. The filter was ignored."
            )
        },
    )

    def __init__(self, *args, agency_queryset=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = sorted_by_name(
            agency_queryset if agency_queryset is not None else Agency.objects.active()
        )
        self.fields["q"].error_messages["max_length"] = _(
            "The search text is too long (at most %(limit_value)d characters)."
        )

    def filters(self) -> dict:
        """The valid filters only: a bad parameter is dropped (and reported), the rest still apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        # an invalid q (too long, NUL characters) is still searched for, cut and cleaned
        q = (
            data["q"]
            if "q" in data
            else (self.data.get("q") or "")[:MAX_QUERY_LENGTH].replace("\x00", "")
        )
        return {
            "q": q or "",
            "sector": data.get("sector"),
            "agency": data.get("agency"),
            "level": data.get("level"),
        }


class ProcedureImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("Columns as in the sample file; at most 5 MB."),
    )
    publish = forms.BooleanField(
        label=_("Publish the imported procedures"), required=False, initial=True
    )
