"""E-forms, the citizen's answers: the JSON Schema built from a definition, the fields a condition
shows, and the server-side validation (see :mod:`procedures.eforms`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import jsonschema
from django.utils import timezone
from django.utils.translation import gettext as _

from .eform_definition import DefinitionError

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
    return m is not None and bool(tax_code_checksum_ok(m.group(1)))


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
        field = by_name.get(name)
        if field and field["type"] == "group" and len(path) >= 3:
            sub = next((s for s in field["fields"] if s["name"] == path[2]), None)
            key, msg = ".".join(path[:3]), _message(err, sub)
        else:
            key, msg = ".".join(path[:1]) or "__all__", _message(err, field)
        if err.validator == "additionalProperties":
            key, msg = "__all__", _("The form contains fields it does not define.")
        errors.setdefault(key, msg)
    for name, value in (locked or {}).items():
        if name in by_name and clean.get(name) != value:
            errors[name] = _("This field comes from your verified e-ID data and cannot be changed.")
    return EFormResult(clean, errors)
