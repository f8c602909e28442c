"""Action inputs whose wire shape differs from the page form's: staff and agencies by id or code,
supplement items as a JSON list. The dispatcher (:mod:`dossiers.inputs`) and the API
(:mod:`dossiers.api.serializers`) both use them; kept out of ``api`` so that the dispatcher does
not import the API that imports it (the acyclic contract in ``.importlinter``)."""

from __future__ import annotations

from rest_framework import serializers

from portal.agencies.models import Agency


class SupplementItemSerializer(serializers.Serializer):
    document = serializers.CharField(max_length=500)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class SupplementRequestInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    items = SupplementItemSerializer(many=True)
    #: required from the second request on (guide once and fully: dossiers.deadlines)
    repeat_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


# --- inputs whose wire shape differs from the page form's (ids and codes instead of choice lists);
# every other action's serializer is derived from its page form (dossiers/inputs.py) ----------------


class StaffField(serializers.PrimaryKeyRelatedField):
    """A staff member by id (assignee, leader, receiver)."""

    def get_queryset(self):  # type: ignore[no-untyped-def]
        from portal.accounts.models import User

        return User.objects.staff_members()


class AgencyCodeField(serializers.SlugRelatedField):
    """An active agency by its code."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(
            slug_field="code", queryset=Agency.objects.filter(is_active=True), **kwargs
        )


class AssignInputSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = StaffField(required=False, allow_null=True, help_text="id of the specialist")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ForwardInputSerializer(serializers.Serializer):
    leader = StaffField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class TransferInputSerializer(serializers.Serializer):
    to_agency = AgencyCodeField(help_text="agency code")
    to_user = StaffField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)
