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

The module is split by job: :mod:`procedures.eform_definition` (the definition's schema and
checks), :mod:`procedures.eform_validation` (the answers' schema and validation) and
:mod:`procedures.eform_prefill` (POST parsing, prefill and display rows); their public names are
re-exported here.
"""

from __future__ import annotations

from .eform_definition import (
    DEFINITION_SCHEMA,
    FIELD_TYPES,
    DefinitionError,
    check_definition,
    editor_schema,
    eform_admin_field,
)
from .eform_prefill import PREFIX, display_rows, parse_post, prefill
from .eform_validation import EFormResult, json_schema, normalise_answer, validate, visible

__all__ = [
    "DEFINITION_SCHEMA",
    "FIELD_TYPES",
    "PREFIX",
    "DefinitionError",
    "EFormResult",
    "check_definition",
    "display_rows",
    "editor_schema",
    "eform_admin_field",
    "json_schema",
    "normalise_answer",
    "parse_post",
    "prefill",
    "validate",
    "visible",
]
