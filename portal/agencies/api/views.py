"""Read-only, public API of the agency tree."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from ..constants import AgencyLevel
from ..models import Agency
from .serializers import AgencySerializer


class AgencyFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AgencyLevel.choices)
    parent = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        to_field_name="code",
        help_text="Parent agency's code: its direct children.",
    )

    class Meta:
        model = Agency
        fields = ["level", "parent"]


@extend_schema_view(
    list=extend_schema(summary="Agencies (tree order)", tags=["agencies"]),
    retrieve=extend_schema(summary="Agency", tags=["agencies"]),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return Agency.objects.active().select_related("parent").order_by("path")
