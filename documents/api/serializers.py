from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import serializers

from ..constants import DocumentType, Secrecy, Urgency
from ..models import (
    DocumentEvent,
    IncomingAttachment,
    IncomingDocument,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientStatus,
)

if TYPE_CHECKING:
    from portal.accounts.models import User


class DocumentErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="Stable error code (machines read it)")


class RecipientStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecipientStatus
        fields = ["code", "description", "at", "staff_name", "department", "received_at"]


class RecipientSerializer(serializers.ModelSerializer):
    statuses = RecipientStatusSerializer(many=True, read_only=True)

    class Meta:
        model = OutgoingRecipient
        fields = [
            "id",
            "organ_code",
            "organ_name",
            "agency",
            "status_code",
            "status_description",
            "status_at",
            "delivered_at",
            "attempts",
            "last_error",
            "statuses",
        ]


class OutgoingAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutgoingAttachment
        fields = [
            "id",
            "name",
            "content_type",
            "size",
            "sha256",
            "is_main",
            "is_signed",
            "description",
        ]


class DocumentEventSerializer(serializers.ModelSerializer):
    actor: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = DocumentEvent
        fields = ["action", "status_code", "actor", "comment", "created_at"]


class OutgoingListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = OutgoingDocument
        fields = [
            "id",
            "document_id",
            "agency",
            "code",
            "number",
            "notation",
            "year",
            "document_type",
            "subject",
            "urgency",
            "state",
            "recall_state",
            "promulgation_date",
            "created_at",
            "sent_at",
        ]


class OutgoingDetailSerializer(OutgoingListSerializer):
    recipients = RecipientSerializer(many=True, read_only=True)
    attachments = OutgoingAttachmentSerializer(many=True, read_only=True)
    events = DocumentEventSerializer(many=True, read_only=True)

    class Meta(OutgoingListSerializer.Meta):
        fields = [
            *OutgoingListSerializer.Meta.fields,
            "place",
            "content",
            "signer_competence",
            "signer_position",
            "signer_name",
            "secrecy",
            "due_date",
            "to_places",
            "in_reply_to",
            "recall_reason",
            "recipients",
            "attachments",
            "events",
        ]


class OutgoingCreateSerializer(serializers.Serializer):
    agency = serializers.IntegerField(
        required=False, help_text="Issuing agency id (default: the caller's agency)"
    )
    subject = serializers.CharField(max_length=1000)
    document_type = serializers.ChoiceField(
        choices=DocumentType.choices, default=DocumentType.OFFICIAL_LETTER
    )
    content = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    signer_competence = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )
    signer_position = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )
    signer_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=150
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, default=Secrecy.NONE)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    in_reply_to = serializers.IntegerField(required=False, allow_null=True, default=None)
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Organ codes",
    )
    to_places = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, default=list
    )


class DocumentAttachSerializer(serializers.Serializer):
    file = serializers.FileField()
    is_main = serializers.BooleanField(default=False)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255
    )


class DocumentPinSerializer(serializers.Serializer):
    pin = serializers.CharField(max_length=64)


class DocumentIssueSerializer(serializers.Serializer):
    promulgation_date = serializers.DateField(required=False, allow_null=True, default=None)
    notation = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class DocumentReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    # The API's field is named "update"; DRF's serializer metaclass takes declared fields out of
    # the class, so Serializer.update() stays as it was. The stubs cannot see that (stub gap).
    update = serializers.BooleanField(default=False)  # type: ignore[assignment]


class IncomingAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomingAttachment
        fields = ["id", "name", "content_type", "size", "sha256", "description"]


class IncomingListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = IncomingDocument
        fields = [
            "id",
            "document_id",
            "agency",
            "book_year",
            "book_number",
            "from_organ_code",
            "from_organ_name",
            "code",
            "document_type",
            "subject",
            "urgency",
            "due_date",
            "state",
            "recall_state",
            "source",
            "received_at",
        ]


class IncomingDetailSerializer(IncomingListSerializer):
    attachments = IncomingAttachmentSerializer(many=True, read_only=True)
    events = DocumentEventSerializer(many=True, read_only=True)

    class Meta(IncomingListSerializer.Meta):
        fields = [
            *IncomingListSerializer.Meta.fields,
            "code_number",
            "code_notation",
            "place",
            "promulgation_date",
            "content",
            "signer_competence",
            "signer_position",
            "signer_name",
            "answers",
            "assigned_department",
            "assigned_to",
            "assignment_note",
            "rejection_reason",
            "recall_reason",
            "attachments",
            "events",
        ]


class DocumentAssignSerializer(serializers.Serializer):
    department = serializers.IntegerField(required=False, allow_null=True, default=None)
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class DocumentNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RecallAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class InboundAnswerSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="02 when rejected")
    reason = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
