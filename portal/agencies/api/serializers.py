from __future__ import annotations

from rest_framework import serializers

from ..models import Agency


class AgencySerializer(serializers.ModelSerializer):
    # DRF's metaclass moves declared fields out of the class: Field.parent is not shadowed
    parent: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Parent agency's code (null for the province).",
    )
    depth = serializers.IntegerField(
        read_only=True, help_text="0 for the province, 1 for its departments and communes, ..."
    )
    path = serializers.CharField(
        read_only=True, help_text="Ids of the ancestors and itself, separated by '/'."
    )

    class Meta:
        model = Agency
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "short_name",
            "level",
            "parent",
            "depth",
            "path",
            "address",
            "phone",
            "email",
            "website",
            "counter_name",
            "counter_address",
            "counter_hours",
        ]
