from __future__ import annotations

from rest_framework import serializers

from ..models import User
from ..selectors import can_submit_dossiers


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    email_verified = serializers.SerializerMethodField()
    can_submit_dossiers = serializers.SerializerMethodField()
    agency = AgencyRefSerializer(allow_null=True)
    department = AgencyRefSerializer(allow_null=True)

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "kind",
            "full_name",
            "email",
            "email_verified",
            "phone",
            "citizen_id",
            "tax_code",
            "organisation_name",
            "address",
            "language",
            "notify_email",
            "notify_sms",
            "agency",
            "department",
            "position",
            "roles",
            "can_submit_dossiers",
        )
        read_only_fields = fields

    def get_roles(self, obj: User) -> list[str]:
        return sorted(obj.role_set)

    def get_email_verified(self, obj: User) -> bool:
        return obj.email_verified_at is not None

    def get_can_submit_dossiers(self, obj: User) -> bool:
        return can_submit_dossiers(obj)
