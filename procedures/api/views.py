"""Read-only, public API of the catalogue."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from portal.agencies.models import Agency

from ..models import ProcedureStep, RequiredDocument
from ..selectors import procedure_search, published_procedures, sectors_with_counts
from .filters import ProcedureFilter
from .serializers import ProcedureDetailSerializer, ProcedureListSerializer, SectorSerializer


@extend_schema_view(
    list=extend_schema(summary="Search procedures", tags=["procedures"]),
    retrieve=extend_schema(summary="Procedure detail", tags=["procedures"]),
)
class ProcedureViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    filterset_class = ProcedureFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if self.action != "retrieve":
            return procedure_search()
        return (
            published_procedures()
            .select_related("sector")
            .prefetch_related(
                Prefetch("agencies", queryset=Agency.objects.order_by("path")),
                "fees",
                Prefetch(
                    "documents",
                    queryset=RequiredDocument.objects.select_related("procedure").order_by(
                        "order", "id"
                    ),
                ),
                Prefetch("steps", queryset=ProcedureStep.objects.order_by("order")),
            )
        )

    def get_serializer_class(self):
        return ProcedureDetailSerializer if self.action == "retrieve" else ProcedureListSerializer


@extend_schema_view(
    list=extend_schema(summary="Sectors", tags=["procedures"]),
    retrieve=extend_schema(summary="Sector", tags=["procedures"]),
)
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = SectorSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return sectors_with_counts()
