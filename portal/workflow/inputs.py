"""One declaration of a transition's input, two shapes: the page form is the declaration, the API
serializer is derived from it (:func:`serializer_from_form`), so a field added to the form is on
the API too, with the same name, requiredness, length, choices and bounds. Inputs whose wire
shape must differ (ids or codes instead of a choice list, a JSON list instead of lines of text)
declare their serializer beside the form instead."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from rest_framework import serializers


def _field(f: forms.Field) -> serializers.Field[Any, Any, Any, Any]:
    common: dict[str, Any] = {"required": f.required, "label": str(f.label) if f.label else None}
    if f.initial not in (None, "") and not callable(f.initial):
        common = {"required": False, "default": f.initial, "label": common["label"]}
    if isinstance(f, forms.FileField):
        return serializers.FileField(allow_null=not f.required, **common)
    if isinstance(f, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not f.required, **common)
    if isinstance(f, forms.DateField):
        return serializers.DateField(allow_null=not f.required, **common)
    if isinstance(f, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=f.max_digits,
            decimal_places=f.decimal_places,
            min_value=f.min_value,
            max_value=f.max_value,
            allow_null=not f.required,
            **common,
        )
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(
            # the stubs want int bounds; DRF's own default for both is None (no bound)
            min_value=f.min_value,  # type: ignore[arg-type]
            max_value=f.max_value,  # type: ignore[arg-type]
            allow_null=not f.required,
            **common,
        )
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(required=False, default=False)
    if isinstance(f, forms.ChoiceField):
        return serializers.ChoiceField(
            # the getter returns the normalised list; the stubs give it the setter's wide type
            choices=[c for c in cast("list[tuple[Any, Any]]", f.choices) if c[0] not in ("", None)],
            **common,
        )
    if isinstance(f, forms.CharField):
        secret = isinstance(f.widget, forms.PasswordInput)
        return serializers.CharField(
            max_length=f.max_length,  # type: ignore[arg-type]  # DRF's default is None (no limit)
            allow_blank=not f.required,
            trim_whitespace=not secret,
            write_only=secret,
            **common,
        )
    raise TypeError(f"no serializer field for {type(f).__name__}")


def serializer_from_form(
    form_class: type[forms.Form], *, name: str | None = None
) -> type[serializers.Serializer[Any]]:
    """A DRF serializer with the form's fields (declared fields only: no per-request choices)."""
    attrs = {field_name: _field(field) for field_name, field in form_class.base_fields.items()}
    return type(
        name or form_class.__name__.replace("Form", "") + "Serializer",
        (serializers.Serializer,),
        attrs,
    )
