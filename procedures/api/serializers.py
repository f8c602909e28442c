from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Procedure, ProcedureFee, ProcedureStep, RequiredDocument, Sector


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en"]


class ProcedureListSerializer(serializers.ModelSerializer):
    sector: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector_name = serializers.CharField(source="sector.name", read_only=True)
    level_name = serializers.CharField(
        source="level_decree_42_name",
        read_only=True,
        help_text="Decree 42/2022 name: Một phần (3), Toàn trình (4).",
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="procedures-api-detail", lookup_field="code"
    )

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "name_en",
            "sector",
            "sector_name",
            "level",
            "level_name",
            "processing_time",
            "time_unit",
            "version",
            "url",
        ]


class ProcedureFeeSerializer(serializers.ModelSerializer):
    #: Plain text, not an enum: the schema already has a "kind" enum (accounts)
    kind = serializers.CharField(
        read_only=True,
        help_text="case (the applicant picks one case) | fixed (always) | per_copy "
        "(per copy beyond free_copies); issue 14",
    )

    class Meta:
        model = ProcedureFee
        fields = ["name", "amount", "applies_to", "kind", "free_copies"]


class RequiredDocumentSerializer(serializers.ModelSerializer):
    template_url = serializers.SerializerMethodField()

    class Meta:
        model = RequiredDocument
        fields = [
            "id",
            "order",
            "name",
            "paper_kind",
            "copies",
            "is_required",
            "template_name",
            "template_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_template_url(self, obj: RequiredDocument) -> str | None:
        if not obj.template:
            return None
        from django.urls import reverse

        path = reverse(
            "procedures:template", kwargs={"code": obj.procedure.code, "document_id": obj.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ProcedureStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureStep
        fields = ["order", "name", "role", "department_hint", "share_percent"]


class ProcedureDetailSerializer(ProcedureListSerializer):
    sector = SectorSerializer(read_only=True)
    agencies: serializers.Field = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    fees = ProcedureFeeSerializer(many=True, read_only=True)
    documents = RequiredDocumentSerializer(many=True, read_only=True)
    steps = ProcedureStepSerializer(many=True, read_only=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "agencies",
            "agency_levels",
            "cutoff_time",
            "description",
            "conditions",
            "legal_basis",
            "result",
            "applicant_types",
            "published_at",
            "fees",
            "documents",
            "steps",
        ]
