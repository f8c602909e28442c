"""E-forms, the definition: the JSON Schema an administrator's form definition must satisfy, its
checks and the admin's editor (see :mod:`procedures.eforms`)."""

from __future__ import annotations

from typing import Any

import jsonschema
from django.utils.translation import gettext as _

FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "citizen_id",
    "tax_code",
    "phone",
    "email",
    "choice",
    "boolean",
    "address",
    "group",
)

#: JSON Schema of a form definition (also drives the admin's editor, django-jsonform).
_FIELD_ITEM: dict[str, Any] = {
    "type": "object",
    "title": "Field",
    "properties": {
        "name": {
            "type": "string",
            "pattern": r"^[a-z][a-z0-9_]{0,39}$",
            "title": "Name (a-z, 0-9, _)",
        },
        "label": {"type": "string", "minLength": 1, "maxLength": 300, "title": "Label"},
        "type": {"type": "string", "enum": list(FIELD_TYPES), "title": "Type"},
        "required": {"type": "boolean", "title": "Required"},
        "help": {"type": "string", "title": "Help text"},
        "section": {"type": "string", "title": "Section heading (starts a new section)"},
        "max_length": {"type": "integer", "minimum": 1, "maximum": 2000, "title": "Max length"},
        "minimum": {"type": "number", "title": "Minimum (number)"},
        "maximum": {"type": "number", "title": "Maximum (number)"},
        "not_after_today": {"type": "boolean", "title": "Date not after today"},
        "choices": {
            "type": "array",
            "title": "Choices",
            "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
        },
        "prefill": {"type": "string", "title": "Prefill from (e-ID claim, or profile.<field>)"},
        "show_when": {
            "type": "object",
            "title": "Show only when",
            "properties": {
                "field": {"type": "string"},
                "equals": {"type": ["string", "boolean", "number"]},
            },
            "required": ["field", "equals"],
        },
        "min": {"type": "integer", "minimum": 0, "title": "Group: fewest rows"},
        "max": {"type": "integer", "minimum": 1, "maximum": 50, "title": "Group: most rows"},
        "fields": {
            "type": "array",
            "title": "Group: sub-fields",
            "items": {"$ref": "#/$defs/leaf"},
        },
    },
    "required": ["name", "label", "type"],
}
_LEAF = {
    **_FIELD_ITEM,
    "properties": {
        k: v for k, v in _FIELD_ITEM["properties"].items() if k not in ("fields", "min", "max")
    },
}
DEFINITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Electronic form",
    "properties": {
        "title": {"type": "string", "title": "Title of the declaration"},
        "legal_form": {
            "type": "string",
            "title": "Official form (e.g. mẫu TP/HT-2020-KS.1, Thông tư 04/2020/TT-BTP)",
        },
        "pdf": {
            "type": "string",
            "pattern": r"^[a-z0-9_]*$",
            "title": "PDF layout (template name; empty: generic)",
        },
        "addressee": {"type": "string", "title": "Kính gửi (addressee)"},
        "fields": {"type": "array", "title": "Fields", "items": {"$ref": "#/$defs/field"}},
    },
    "required": ["fields"],
    "$defs": {"field": _FIELD_ITEM, "leaf": _LEAF},
}


class DefinitionError(ValueError):
    pass


def check_definition(defn: Any) -> None:
    """A definition an administrator saved: valid against the schema, unique names, conditions
    that point at an earlier field, choices for choice fields. Raises :class:`DefinitionError`."""
    if defn in (None, {}, []):
        return
    errors = sorted(
        jsonschema.Draft202012Validator(DEFINITION_SCHEMA).iter_errors(defn),
        key=lambda e: list(e.path),
    )
    if errors:
        e = errors[0]
        raise DefinitionError(f"{'/'.join(str(p) for p in e.path) or '(root)'}: {e.message}")
    seen: set[str] = set()
    for f in defn["fields"]:
        if f["name"] in seen:
            raise DefinitionError(_("Field name used twice: %(name)s") % {"name": f["name"]})
        cond = f.get("show_when")
        if cond and cond["field"] not in seen:
            raise DefinitionError(
                _("%(name)s: a condition must name an earlier field") % {"name": f["name"]}
            )
        if f["type"] == "choice" and not f.get("choices"):
            raise DefinitionError(_("%(name)s: a choice field needs choices") % {"name": f["name"]})
        if f["type"] == "group" and not f.get("fields"):
            raise DefinitionError(_("%(name)s: a group needs sub-fields") % {"name": f["name"]})
        seen.add(f["name"])


def editor_schema() -> dict[str, Any]:
    """:data:`DEFINITION_SCHEMA` in the dialect django-jsonform's editor reads (one type per key)."""
    import copy

    schema = copy.deepcopy(DEFINITION_SCHEMA)
    schema.pop("$schema", None)
    for item in (schema["$defs"]["field"], schema["$defs"]["leaf"]):
        item["properties"]["show_when"]["properties"]["equals"] = {
            "type": "string",
            "title": "equals (true/false or a choice value)",
        }
        item["properties"]["type"]["choices"] = list(FIELD_TYPES)
    return schema


def eform_admin_field() -> Any:
    from django import forms
    from django.core.exceptions import ValidationError
    from django_jsonform.widgets import JSONFormWidget

    def _check(value: Any) -> None:
        try:
            check_definition(value)
        except DefinitionError as exc:
            raise ValidationError(str(exc)) from None

    return forms.JSONField(
        required=False,
        widget=JSONFormWidget(schema=editor_schema()),
        validators=[_check],
        label=_("Electronic form"),
        help_text=_("Typed fields, conditions and prefill of the declaration."),
    )
