from __future__ import annotations

import django_filters

from portal.agencies.models import Agency

from ..constants import ServiceLevel
from ..models import Procedure, Sector
from ..selectors import MAX_QUERY_LENGTH, search_tokens


class ProcedureFilter(django_filters.FilterSet):
    """Query parameters of the procedure list. Unknown codes or levels give a 400 with a message."""

    q = django_filters.CharFilter(
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        help_text="Search words; diacritics and case are ignored (dang ky khai sinh).",
    )
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.all(), to_field_name="code", help_text="Sector code, e.g. HT."
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        to_field_name="code",
        field_name="agencies",
        help_text="Agency code, e.g. 000.00.03.H18.",
    )
    level = django_filters.TypedChoiceFilter(
        choices=ServiceLevel.choices, coerce=int, help_text="Online service level 2, 3 or 4."
    )

    class Meta:
        model = Procedure
        fields = ["q", "sector", "agency", "level"]

    def filter_q(self, queryset, name: str, value: str):
        for token in search_tokens(value):
            queryset = queryset.filter(search_text__contains=token)
        return queryset
