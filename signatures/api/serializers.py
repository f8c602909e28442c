from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The signed PDF."))


class SignatureResultSerializer(serializers.Serializer):
    # DRF's metaclass moves declared fields out of the class, so this does not shadow Field.field_name
    field_name = serializers.CharField()  # type: ignore[assignment]
    signer = serializers.CharField()
    position = serializers.CharField()
    organisation = serializers.CharField()
    serial = serializers.CharField()
    issuer = serializers.CharField()
    chain = serializers.ListField(child=serializers.CharField())
    signing_time = serializers.DateTimeField(allow_null=True)
    timestamp_time = serializers.DateTimeField(allow_null=True)
    timestamp_valid = serializers.BooleanField()
    intact = serializers.BooleanField()
    trusted = serializers.BooleanField()
    coverage = serializers.CharField()
    modification_level = serializers.CharField()
    bytes_appended = serializers.BooleanField()
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    expired = serializers.BooleanField()
    verdict = serializers.ChoiceField(
        choices=["valid", "changed", "untrusted", "revoked", "expired"]
    )
    message = serializers.CharField()


class VerificationReportSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    is_pdf = serializers.BooleanField()
    error_code = serializers.CharField()
    error = serializers.CharField()
    verdict = serializers.CharField(allow_null=True)
    all_valid = serializers.BooleanField()
    signatures = SignatureResultSerializer(many=True)
