"""E-forms, to and from the page: a POST's flat names to nested answers, the prefill from the
e-ID's verified facts and the profile, and the rows shown to the clerk and printed (see
:mod:`procedures.eforms`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .eform_validation import visible

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
