"""Serializers of the dossier API: output shapes and the input of each action."""

from __future__ import annotations

from rest_framework import serializers

from ..constants import NATIONAL_STATUS_NAMES, Channel, ResultDelivery
from ..models import Dossier, DossierEvent, DossierFile, DossierStep

# The action inputs whose wire shape differs from the page form's live in dossiers/wire.py (the
# dispatcher, dossiers/inputs.py, uses them too); re-exported here for the API and its schema.
from ..wire import AgencyCodeField as AgencyCodeField
from ..wire import AssignInputSerializer as AssignInputSerializer
from ..wire import ForwardInputSerializer as ForwardInputSerializer
from ..wire import StaffField as StaffField
from ..wire import SupplementItemSerializer as SupplementItemSerializer
from ..wire import SupplementRequestInputSerializer as SupplementRequestInputSerializer
from ..wire import TransferInputSerializer as TransferInputSerializer


class DossierListSerializer(serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure.code", read_only=True)
    procedure_name = serializers.CharField(source="procedure.name", read_only=True)
    receiving_agency = serializers.CharField(source="receiving_agency.code", read_only=True)
    status_name = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields: tuple[str, ...] = (
            "id",
            "code",
            "procedure_code",
            "procedure_name",
            "receiving_agency",
            "applicant_name",
            "channel",
            "status",
            "status_name",
            "stage",
            "submitted_at",
            "received_at",
            "due_at",
            "finished_at",
            "returned_at",
            "supplement_cycles",
        )
        read_only_fields = fields

    def get_status_name(self, obj: Dossier) -> str:
        return NATIONAL_STATUS_NAMES.get(obj.status, "")


class DossierFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierFile
        fields = (
            "id",
            "document_id",
            "document_name",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "is_digitised",
            "is_supplement",
            "uploaded_at",
        )
        read_only_fields = fields


class DossierStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierStep
        fields = ("order", "name", "role", "due_at", "started_at", "finished_at", "timeliness")
        read_only_fields = fields


class DossierEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name", default=None, read_only=True)
    from_user = serializers.CharField(source="from_user.full_name", default=None, read_only=True)
    to_user = serializers.CharField(source="to_user.full_name", default=None, read_only=True)
    from_agency = serializers.CharField(source="from_agency.name", default=None, read_only=True)
    to_agency = serializers.CharField(source="to_agency.name", default=None, read_only=True)

    class Meta:
        model = DossierEvent
        fields = (
            "seq",
            "action",
            "from_status",
            "to_status",
            "actor",
            "from_user",
            "to_user",
            "from_agency",
            "to_agency",
            "comment",
            "step_timeliness",
            "created_at",
            "hash",
        )
        read_only_fields = fields


class DossierDetailSerializer(DossierListSerializer):
    files = DossierFileSerializer(many=True, read_only=True)
    steps = DossierStepSerializer(many=True, read_only=True)
    events = DossierEventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(DossierListSerializer.Meta):
        fields = (
            *DossierListSerializer.Meta.fields,
            "applicant_citizen_id",
            "applicant_tax_code",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "form_data",
            "counting_start",
            "paused_seconds",
            "rescheduled_due_at",
            "timeliness",
            "registered_delivery",
            "delivery_address",
            "result_delivery",
            "fee_total",
            "fee_choice",
            "paid_at",
            "rating",
            "rating_comment",
            "files",
            "steps",
            "events",
            "allowed_actions",
        )
        read_only_fields = fields

    def get_allowed_actions(self, obj: Dossier) -> list[str]:
        from ..workflow import allowed_actions

        return allowed_actions(obj, self.context["request"].user)


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False)
    citizen_id = serializers.CharField(max_length=12, required=False, allow_blank=True)
    tax_code = serializers.CharField(max_length=14, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    #: how the result is to be received (TT 03/2025/TT-VPCP Phụ lục I, mẫu 01 item 6), as the
    #: submission and intake pages register it; the return step defaults to it
    delivery = serializers.ChoiceField(choices=ResultDelivery.choices, required=False)
    delivery_address = serializers.CharField(max_length=255, required=False, allow_blank=True)


class DraftCreateSerializer(serializers.Serializer):
    procedure = serializers.CharField(max_length=40, help_text="Procedure code")
    agency = serializers.CharField(max_length=20, help_text="Receiving agency code")
    form_data = serializers.DictField(required=False)
    applicant = ApplicantSerializer(required=False)
    fee_case = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Fee case (trường hợp thu phí): the index of one of the procedure's fee case "
        "lines (none: the standard case); the total is computed by the portal",
    )
    fee_copies = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Number of copies (số bản)"
    )


class CounterCreateSerializer(DraftCreateSerializer):
    fee_case = None  # type: ignore[assignment]
    fee_copies = None  # type: ignore[assignment]
    agency = serializers.CharField(max_length=20, required=False)
    applicant = ApplicantSerializer()
    channel = serializers.ChoiceField(
        choices=[Channel.IN_PERSON, Channel.POSTAL], default=Channel.IN_PERSON
    )


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    document_id = serializers.IntegerField(required=False, allow_null=True)
    is_digitised = serializers.BooleanField(default=False)
    supplement_item = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Position of the item of the open supplement request this file answers.",
    )


class TrackingStepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class TrackingEventSerializer(serializers.Serializer):
    status = serializers.IntegerField(allow_null=True)
    status_name = serializers.CharField()
    at = serializers.DateTimeField()


class PublicTrackingSerializer(serializers.Serializer):
    """Only non-personal fields."""

    code = serializers.CharField()
    procedure = serializers.CharField()
    receiving_agency = serializers.CharField()
    status = serializers.IntegerField()
    status_name = serializers.CharField()
    channel = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    rescheduled_due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    steps = TrackingStepSerializer(many=True)
    timeline = TrackingEventSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(
        help_text="One message, in the request's language (Accept-Language)"
    )
    code = serializers.CharField(
        required=False,
        help_text="Stable error code, e.g. transition_not_allowed, permission_denied",
    )
