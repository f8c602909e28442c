"""Electronic forms (biểu mẫu điện tử tương tác): a procedure version's declaration as data.

An administrator describes the declaration in ``Procedure.eform`` (published into the version's
snapshot, so a filed dossier keeps the form it was filed with) — no code:

.. code-block:: json

    {"title": "Tờ khai đăng ký khai sinh", "pdf": "birth_registration",
     "fields": [
       {"name": "requester_name", "label": "Họ, chữ đệm, tên người yêu cầu", "type": "text",
        "required": true, "prefill": "HoVaTen"},
       {"name": "has_father", "label": "Có thông tin người cha", "type": "boolean"},
       {"name": "father_name", "label": "Họ, chữ đệm, tên người cha", "type": "text",
        "required": true, "show_when": {"field": "has_father", "equals": true}},
       {"name": "members", "label": "Thành viên hộ gia đình", "type": "group", "min": 1, "max": 10,
        "fields": [{"name": "name", "label": "Họ tên", "type": "text", "required": true}]}
     ]}

Field types: ``text``, ``textarea``, ``number``, ``date`` (ISO; ``not_after_today``), ``citizen_id``
(12-digit CCCD, province prefix), ``tax_code`` (check digit), ``phone``, ``email``, ``choice``
(``choices`` = [[value, label], ...]), ``boolean``, ``address`` (a commune of the agency tree and
a street/hamlet) and ``group`` (a repeating group of sub-fields, e.g. household members).

The definition itself is checked against :data:`DEFINITION_SCHEMA`; the citizen's answers are
checked by a JSON Schema (Draft 2020-12, ``jsonschema``) built from it, after the fields a
condition hides have been dropped (a hidden required field is not required). Fields with a
``prefill`` are filled from the e-ID's verified facts (or the profile: ``profile.phone``) and
*locked*: on submission their values must still equal the facts (checked on the server, not
trusted from the browser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import jsonschema
from django.utils import timezone
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


# --- the citizen's answers ----------------------------------------------------------------------

_CCCD = re.compile(r"^\d{12}$")
_PHONE = re.compile(r"^0\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _commune_codes() -> frozenset[str]:
    from portal.agencies.selectors import commune_choices

    return frozenset(code for code, _name, _prov in commune_choices())


def _leaf_schema(f: dict[str, Any]) -> dict[str, Any]:
    t = f["type"]
    if t in ("text", "textarea"):
        return {"type": "string", "maxLength": f.get("max_length", 300 if t == "text" else 2000)}
    if t == "number":
        s: dict[str, Any] = {"type": "number"}
        if "minimum" in f:
            s["minimum"] = f["minimum"]
        if "maximum" in f:
            s["maximum"] = f["maximum"]
        return s
    if t == "date":
        return {
            "type": "string",
            "format": "date",
            **({"x-notAfterToday": True} if f.get("not_after_today") else {}),
        }
    if t == "citizen_id":
        return {"type": "string", "format": "cccd"}
    if t == "tax_code":
        return {"type": "string", "format": "tax-code"}
    if t == "phone":
        return {"type": "string", "pattern": _PHONE.pattern}
    if t == "email":
        return {"type": "string", "pattern": _EMAIL.pattern, "maxLength": 254}
    if t == "choice":
        return {"type": "string", "enum": [c[0] for c in f["choices"]]}
    if t == "boolean":
        return {"type": "boolean"}
    if t == "address":
        return {
            "type": "object",
            "properties": {
                "commune": {"type": "string", "format": "commune"},
                "detail": {"type": "string", "minLength": 1, "maxLength": 255},
            },
            "required": ["commune", "detail"],
            "additionalProperties": False,
        }
    raise DefinitionError(t)


def json_schema(defn: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of the answers (without the conditions: hidden fields are dropped first)."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in defn.get("fields", []):
        if f["type"] == "group":
            sub = {s["name"]: _leaf_schema(s) for s in f["fields"]}
            props[f["name"]] = {
                "type": "array",
                "minItems": f.get("min", 0),
                "maxItems": f.get("max", 20),
                "items": {
                    "type": "object",
                    "properties": sub,
                    "additionalProperties": False,
                    "required": [s["name"] for s in f["fields"] if s.get("required")],
                },
            }
        else:
            props[f["name"]] = _leaf_schema(f)
        if f.get("required") or (f["type"] == "group" and f.get("min", 0) > 0):
            required.append(f["name"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


_format_checker = jsonschema.FormatChecker()


@_format_checker.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    date.fromisoformat(value)
    return True


@_format_checker.checks("cccd")
def _is_cccd(value: object) -> bool:
    from portal.accounts.validators import CCCD_PROVINCE_CODES

    return isinstance(value, str) and bool(_CCCD.match(value)) and value[:3] in CCCD_PROVINCE_CODES


@_format_checker.checks("tax-code")
def _is_tax_code(value: object) -> bool:
    from portal.accounts.validators import tax_code_checksum_ok

    m = re.fullmatch(r"(\d{10})(?:-(\d{3}))?", value) if isinstance(value, str) else None
    return bool(m) and tax_code_checksum_ok(m.group(1))


@_format_checker.checks("commune")
def _is_commune(value: object) -> bool:
    return isinstance(value, str) and value in _commune_codes()


def _not_after_today(validator, enabled, instance, schema):
    if enabled and isinstance(instance, str):
        try:
            if date.fromisoformat(instance) > timezone.localdate():
                yield jsonschema.ValidationError(_("This date is in the future."))
        except ValueError:
            pass


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"x-notAfterToday": _not_after_today}
)


@lru_cache(maxsize=256)
def _validator_for(key: str) -> Any:
    import json

    return _Validator(json.loads(key), format_checker=_format_checker)


def normalise_answer(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).strip().lower()


def visible(defn: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields shown for these answers (``show_when`` evaluated on the answers themselves;
    ``equals`` compared as text, so the editor's "true" matches a ticked box)."""
    out = []
    for f in defn.get("fields", []):
        cond = f.get("show_when")
        if cond and normalise_answer(data.get(cond["field"])) != normalise_answer(cond["equals"]):
            continue
        out.append(f)
    return out


def _message(err: jsonschema.ValidationError, f: dict[str, Any] | None) -> str:
    kind = (f or {}).get("type", "")
    if err.validator == "required":
        return _("This field is required.")
    if err.validator == "format" or err.validator == "pattern":
        return {
            "date": _("Enter a valid date."),
            "citizen_id": _("A citizen ID (CCCD) is 12 digits starting with a province code."),
            "tax_code": _("This tax code is not valid (10 digits with a correct check digit)."),
            "phone": _("A mobile number is 10 digits starting with 0."),
            "email": _("Enter a valid e-mail address."),
            "address": _("Choose a commune from the list."),
        }.get(kind, _("This value is not valid."))
    if err.validator == "enum":
        return _("Choose one of the options.")
    if err.validator == "minItems":
        return _("Add at least %(n)s row(s).") % {"n": err.validator_value}
    if err.validator == "maxItems":
        return _("At most %(n)s row(s).") % {"n": err.validator_value}
    if err.validator == "maxLength":
        return _("At most %(n)s characters.") % {"n": err.validator_value}
    if err.validator in ("minimum", "maximum"):
        return _("This number is out of range.")
    if err.validator == "x-notAfterToday":
        return str(err.message)
    if err.validator == "minLength":
        return _("This field is required.")
    return _("This value is not valid.")


@dataclass
class EFormResult:
    data: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _strip_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_empty(v) for k, v in value.items() if v not in ("", None)}
    if isinstance(value, list):
        return [_strip_empty(v) for v in value]
    return value


def validate(
    defn: dict[str, Any], data: dict[str, Any], *, locked: dict[str, Any] | None = None
) -> EFormResult:
    """Check answers on the server: hidden fields dropped, then JSON Schema, then locked fields.

    ``locked``: field name → the value the verified facts give; a different answer is refused
    (a value changed by hand in the browser, Decision 1565's "enter once" made tamper-proof).
    """
    shown = visible(defn, data)
    by_name = {f["name"]: f for f in shown}
    clean = _strip_empty({k: v for k, v in data.items() if k in by_name})
    for f in shown:
        if f["type"] == "group" and clean.get(f["name"]) is not None:
            clean[f["name"]] = [row for row in clean[f["name"]] if row]
    import json

    schema = json_schema({"fields": shown})
    errors: dict[str, str] = {}
    for err in _validator_for(json.dumps(schema, sort_keys=True)).iter_errors(clean):
        path = [str(p) for p in err.absolute_path]
        if err.validator == "required":
            path = path + [err.message.split("'")[1]]
        name = path[0] if path else ""
        f = by_name.get(name)
        if f and f["type"] == "group" and len(path) >= 3:
            sub = next((s for s in f["fields"] if s["name"] == path[2]), None)
            key, msg = ".".join(path[:3]), _message(err, sub)
        else:
            key, msg = ".".join(path[:1]) or "__all__", _message(err, f)
        if err.validator == "additionalProperties":
            key, msg = "__all__", _("The form contains fields it does not define.")
        errors.setdefault(key, msg)
    for name, value in (locked or {}).items():
        if name in by_name and clean.get(name) != value:
            errors[name] = _("This field comes from your verified e-ID data and cannot be changed.")
    return EFormResult(clean, errors)


# --- from the browser: flat POST names to nested answers ---------------------------------------

PREFIX = "ef-"


def _coerce(f: dict[str, Any], raw: str | None, *, strict: bool) -> Any:
    if f["type"] == "boolean":
        return raw in ("on", "1", "true", "yes")
    if raw is None:
        return None
    raw = raw.strip()
    if f["type"] == "number" and raw:
        try:
            num = float(raw.replace(",", "."))
            return int(num) if num.is_integer() else num
        except ValueError:
            return raw  # the schema says "not a number"
    return raw


def parse_post(defn: dict[str, Any], post: Any, *, strict: bool = True) -> dict[str, Any]:
    """Answers from form fields named ``ef-<name>``, ``ef-<name>-commune``/``-detail`` for an
    address, and ``ef-<group>-<row>-<sub>`` for a repeating group (rows in order)."""
    data: dict[str, Any] = {}
    for f in defn.get("fields", []):
        key = PREFIX + f["name"]
        if f["type"] == "address":
            data[f["name"]] = {
                "commune": (post.get(key + "-commune") or "").strip(),
                "detail": (post.get(key + "-detail") or "").strip(),
            }
        elif f["type"] == "group":
            rows = []
            indexes = sorted(
                {
                    int(m.group(1))
                    for k in post.keys()
                    if (m := re.match(rf"^{re.escape(key)}-(\d{{1,2}})-", k))
                }
            )
            for i in indexes[: f.get("max", 20) + 5]:
                row = {
                    s["name"]: _coerce(s, post.get(f"{key}-{i}-{s['name']}"), strict=strict)
                    for s in f["fields"]
                }
                if any(v not in (None, "", False) for v in row.values()):
                    rows.append(row)
            data[f["name"]] = rows
        else:
            data[f["name"]] = _coerce(f, post.get(key), strict=strict)
    return data


# --- prefill from the e-ID and the profile ------------------------------------------------------


def _fact_value(f: dict[str, Any], value: Any) -> Any:
    if f["type"] == "date" and isinstance(value, str) and re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
        d, m, y = value.split("/")  # VNeID writes dd/MM/yyyy
        try:
            return date(int(y), int(m), int(d)).isoformat()
        except ValueError:
            return None
    if f["type"] == "choice" and f.get("choices"):
        values = {c[0] for c in f["choices"]}
        v = str(value)
        if v in values:
            return v
        return {"1": "nam", "2": "nu"}.get(v) if {"nam", "nu"} <= values else None
    return value if isinstance(value, (str, int, float, bool)) else None


def prefill(
    defn: dict[str, Any], *, facts: dict[str, Any], profile: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(initial answers, locked answers): facts lock their fields, profile values only prefill."""
    initial: dict[str, Any] = {}
    locked: dict[str, Any] = {}
    for f in defn.get("fields", []):
        src = f.get("prefill")
        if not src or f["type"] in ("group", "address"):
            continue
        if src.startswith("profile."):
            value = profile.get(src.split(".", 1)[1])
            if value not in (None, ""):
                initial[f["name"]] = value
        elif facts.get(src) not in (None, ""):
            value = _fact_value(f, facts[src])
            if value is not None:
                initial[f["name"]] = locked[f["name"]] = value
    return initial, locked


def display_rows(defn: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """Label/value rows of filled answers for the clerk's page and the PDF (groups as sub-rows)."""
    from portal.agencies.selectors import commune_choices

    communes = {code: name for code, name, _p in commune_choices()}

    def show(f: dict[str, Any], v: Any) -> str:
        if v in (None, ""):
            return ""
        if f["type"] == "boolean":
            return _("Yes") if v else _("No")
        if f["type"] == "choice":
            return next((c[1] for c in f["choices"] if c[0] == v), str(v))
        if f["type"] == "date":
            try:
                return date.fromisoformat(v).strftime("%d/%m/%Y")
            except (TypeError, ValueError):
                return str(v)
        if f["type"] == "address" and isinstance(v, dict):
            return ", ".join(
                x for x in (v.get("detail", ""), communes.get(v.get("commune", ""), "")) if x
            )
        return str(v)

    rows = []
    for f in visible(defn, data):
        v = data.get(f["name"])
        if f["type"] == "group":
            rows.append(
                {
                    "label": f["label"],
                    "section": f.get("section", ""),
                    "name": f["name"],
                    "rows": [
                        [
                            {"label": s["label"], "value": show(s, r.get(s["name"]))}
                            for s in f["fields"]
                        ]
                        for r in (v or [])
                    ],
                }
            )
        else:
            rows.append(
                {
                    "label": f["label"],
                    "section": f.get("section", ""),
                    "name": f["name"],
                    "value": show(f, v),
                }
            )
    return rows
