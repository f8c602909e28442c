"""A dossier's electronic form: the procedure version's declaration (:mod:`procedures.eforms`)
bound to one citizen and one draft — prefilled and locked from the e-ID's verified facts, kept
as typed in a draft, validated on submission, rendered into the declaration's PDF layout and
attached to the dossier as the document the clerk reads.

The answers live in ``Dossier.form_data["eform"]`` (structured data for the forms 01–07 and the
national sync: :func:`eform_answers`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from portal.accounts.selectors import verified_facts
from procedures import eforms

from .models import Dossier, DossierFile

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


ANSWERS_KEY = "eform"
VERIFIED_KEY = "eform_verified"


def definition_of(snapshot: dict[str, Any] | None) -> dict[str, Any]:
    defn = (snapshot or {}).get("eform") or {}
    return defn if defn.get("fields") else {}


def eform_answers(dossier: Dossier) -> dict[str, Any]:
    """The e-form's answers of a dossier (structured data), ``{}`` when it has none."""
    return (dossier.form_data or {}).get(ANSWERS_KEY) or {}


#: Where an e-form says who the applicant is: a field prefilled from the e-ID's name or the
#: profile's, and the first field of each contact type.
_NAME_SOURCES = ("HoVaTen", "profile.full_name")
_CONTACT_TYPES = {"address": "address", "phone": "phone", "email": "email"}


def eform_applicant(dossier: Dossier) -> dict[str, str]:
    """The applicant's data as the dossier's e-form answers give them (structured, what the
    applicant declared): ``name``, ``address``, ``phone``, ``email`` — only those the e-form has
    and the applicant filled; ``{}`` without an e-form. The printed forms 01–07 (TT 03/2025/
    TT-VPCP Phụ lục I) print these before the dossier's own fields."""
    answers = eform_answers(dossier)
    defn = definition_of(getattr(dossier.procedure_version, "snapshot", None))
    if not answers or not defn:
        return {}
    shown = {r["name"]: r.get("value", "") for r in eforms.display_rows(defn, answers)}
    out: dict[str, str] = {}
    for f in eforms.visible(defn, answers):
        value = str(shown.get(f["name"]) or "").strip()
        if not value or f["type"] == "group":
            continue
        key = "name" if f.get("prefill") in _NAME_SOURCES else _CONTACT_TYPES.get(f["type"])
        if key and key not in out:
            out[key] = value
    return out


def _profile(user: Actor) -> dict[str, Any]:
    return {
        "full_name": getattr(user, "full_name", ""),
        "phone": getattr(user, "phone", ""),
        "email": getattr(user, "email", ""),
        "address": getattr(user, "address", ""),
        "citizen_id": getattr(user, "citizen_id", ""),
        "tax_code": getattr(user, "tax_code", ""),
    }


@dataclass
class EFormBinding:
    """The form on the submission page: what to show, what is locked, the errors."""

    defn: dict[str, Any]
    data: dict[str, Any]
    locked: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_submission(
        cls,
        *,
        snapshot: dict[str, Any] | None,
        user: Actor,
        draft: Dossier | None,
        post: Any = None,
    ) -> EFormBinding | None:
        defn = definition_of(snapshot)
        if not defn:
            return None
        initial, locked = eforms.prefill(defn, facts=verified_facts(user), profile=_profile(user))
        if post is not None:
            data = eforms.parse_post(defn, post)
        else:
            data = {**initial, **(eform_answers(draft) if draft else {}), **locked}
        return cls(defn, data, locked)

    def is_valid(self, *, final: bool) -> bool:
        """A submission is checked in full; a draft keeps what was typed (locked fields reset to
        the facts), so nothing the citizen typed is lost while the form is incomplete."""
        if not final:
            self.data = {**self.data, **self.locked}
            return True
        result = eforms.validate(self.defn, self.data, locked=self.locked)
        self.errors = result.errors
        if result.ok:
            self.data = result.data
        return result.ok

    def form_data(self, base: dict[str, Any]) -> dict[str, Any]:
        """``eform``: the answers; ``eform_verified``: the fields taken from the e-ID's verified
        facts (data reused from the national database: Decision 766 counts it)."""
        out = {**base, ANSWERS_KEY: self.data}
        if self.locked:
            out[VERIFIED_KEY] = sorted(self.locked)
        return out

    def render(self) -> str:
        return render_eform(self.defn, self.data, locked=self.locked, errors=self.errors)


def error_links(binding: EFormBinding) -> list[tuple[str, str]]:
    """The e-form's errors for the page's error summary: (link to the field, message), in the
    form's order (``id_ef-name``; an address links to its commune picker, a group's row field to
    ``id_ef-group-row-field``, an error of the whole form to the form)."""
    if not binding.errors:
        return []
    types = {f["name"]: f["type"] for f in binding.defn.get("fields", [])}
    order = {name: i for i, name in enumerate(types)}
    out = []
    for key, message in sorted(
        binding.errors.items(), key=lambda kv: order.get(kv[0].split(".")[0], len(order))
    ):
        if key == "__all__":
            out.append(("#eform", str(message)))
            continue
        target = eforms.PREFIX + key.replace(".", "-")
        if types.get(key) == "address":
            target += "-commune"
        elif types.get(key) == "group":
            target += "-0-" + next(
                (
                    s["name"]
                    for f in binding.defn["fields"]
                    if f["name"] == key
                    for s in f["fields"]
                ),
                "",
            )
        out.append((f"#id_{target}", str(message)))
    return out


def _bound(
    f: dict[str, Any],
    value: Any,
    *,
    prefix: str,
    locked: dict[str, Any],
    errors: dict[str, str],
    err_key: str,
) -> dict[str, Any]:
    t = f["type"]
    out = {
        "name": prefix + f["name"],
        "label": f["label"],
        "type": t,
        "required": bool(f.get("required")),
        "help": f.get("help", ""),
        "section": f.get("section", ""),
        "error": errors.get(err_key, ""),
        "locked": f["name"] in locked and prefix == eforms.PREFIX,
        "value": "" if value is None else value,
        "choices": f.get("choices") or [],
        "max_length": f.get("max_length", 300),
        "show_field": eforms.PREFIX + f["show_when"]["field"] if f.get("show_when") else "",
        "show_equals": eforms.normalise_answer(f["show_when"]["equals"])
        if f.get("show_when")
        else "",
    }
    if t == "address":
        v = value if isinstance(value, dict) else {}
        out["commune"], out["detail"] = v.get("commune", ""), v.get("detail", "")
        out["commune_options"] = _commune_options(out["commune"])
    return out


_OPTIONS_CACHE: tuple[int, str] = (0, "")


def _commune_options(selected: str) -> str:
    """The commune picker's ``<optgroup>``/``<option>`` list, grouped by province, built once per
    commune list (``commune_choices`` keeps it a minute) and only the selected option marked."""
    global _OPTIONS_CACHE
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    from portal.agencies.selectors import commune_choices

    rows = commune_choices()
    if _OPTIONS_CACHE[0] != id(rows):
        parts, province = [], None
        for code, name, prov in sorted(rows, key=lambda r: (r[2], r[1])):
            if prov != province:
                if province is not None:
                    parts.append("</optgroup>")
                parts.append(f'<optgroup label="{escape(prov)}">')
                province = prov
            parts.append(f'<option value="{escape(code)}">{escape(name)}</option>')
        if province is not None:
            parts.append("</optgroup>")
        _OPTIONS_CACHE = (id(rows), "".join(parts))
    html = _OPTIONS_CACHE[1]
    if selected:
        html = html.replace(
            f'<option value="{escape(selected)}">',
            f'<option value="{escape(selected)}" selected>',
            1,
        )
    return mark_safe(html)  # every value escaped above


def render_eform(
    defn: dict[str, Any],
    data: dict[str, Any],
    *,
    locked: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    """The form's HTML (fields by type, locked ones read-only, conditions and repeating groups
    driven by ``static/js/eform.js``: no inline script)."""
    locked, errors = locked or {}, errors or {}
    fields = []
    for f in defn["fields"]:
        if f["type"] == "group":
            rows = list(data.get(f["name"]) or []) or [{}]
            b = _bound(
                f, None, prefix=eforms.PREFIX, locked=locked, errors=errors, err_key=f["name"]
            )
            b["rows"] = [
                [
                    _bound(
                        s,
                        row.get(s["name"]),
                        prefix=f"{eforms.PREFIX}{f['name']}-{i}-",
                        locked={},
                        errors=errors,
                        err_key=f"{f['name']}.{i}.{s['name']}",
                    )
                    for s in f["fields"]
                ]
                for i, row in enumerate(rows)
            ]
            b["max"] = f.get("max", 20)
            fields.append(b)
        else:
            fields.append(
                _bound(
                    f,
                    data.get(f["name"]),
                    prefix=eforms.PREFIX,
                    locked=locked,
                    errors=errors,
                    err_key=f["name"],
                )
            )
    return render_to_string(
        "dossiers/eform/form.html",
        {
            "defn": defn,
            "fields": fields,
            "form_error": errors.get("__all__", ""),
        },
    )


# --- the declaration's PDF ----------------------------------------------------------------------


def _declaration_document(dossier: Dossier, defn: dict[str, Any]) -> tuple[int | None, str]:
    return declaration_document_of(dossier.procedure_version.snapshot, defn)


def declaration_document_of(
    snapshot: dict[str, Any], defn: dict[str, Any]
) -> tuple[int | None, str]:
    """The required document the e-form's declaration is attached as (rendered at submission:
    the applicant does not upload it)."""
    docs = snapshot.get("documents", [])
    wanted = defn.get("document", "")
    for d in docs:
        if wanted and d["name"] == wanted:
            return d["id"], d["name"]
    for d in docs:
        if d.get("template_name") or d["name"].lower().startswith(
            ("tờ khai", "đơn", "giấy đề nghị")
        ):
            return d["id"], d["name"]
    return None, defn.get("title", "Tờ khai")


def render_declaration(dossier: Dossier) -> bytes:
    """The filled declaration in its official layout (``dossiers/eform/pdf/<pdf>.html``, or the
    generic layout), through :func:`portal.pdf.render.render_pdf` (WeasyPrint, Vietnamese)."""
    from portal.agencies.selectors import commune_choices
    from portal.pdf.render import render_pdf

    defn = definition_of(dossier.procedure_version.snapshot)
    answers = eform_answers(dossier)
    name = defn.get("pdf") or "generic"
    template = f"dossiers/eform/pdf/{name}.html"
    try:
        from django.template.loader import get_template

        get_template(template)
    except Exception:  # an unknown layout name falls back to the generic one
        template = "dossiers/eform/pdf/generic.html"
    return render_pdf(
        template,
        {
            "defn": defn,
            "a": answers,
            "rows": eforms.display_rows(defn, answers),
            "dossier": dossier,
            "title": defn.get("title", ""),
            "subtitle": defn.get("legal_form", ""),
            "date": timezone.localdate(),
            "addressee": defn.get("addressee") or dossier.receiving_agency.name,
            "communes": {c: n for c, n, _p in commune_choices()},
        },
    )


def attach_declaration(*, dossier: Dossier, actor: Actor) -> DossierFile | None:
    """Render the declaration and attach it to the dossier (replacing an earlier rendering), as
    the required document it stands for; ``None`` when the procedure has no e-form."""
    defn = definition_of(dossier.procedure_version.snapshot)
    if not defn:
        return None
    pdf = render_declaration(dossier)
    document_id, document_name = _declaration_document(dossier, defn)
    DossierFile.objects.filter(dossier=dossier, original_name=DECLARATION_NAME).delete()
    if document_id is not None:
        DossierFile.objects.filter(dossier=dossier, document_id=document_id).delete()
    item = DossierFile(
        dossier=dossier,
        document_id=document_id,
        document_name=document_name,
        original_name=DECLARATION_NAME,
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        uploaded_by=actor,
    )
    item.file.save(DECLARATION_NAME, ContentFile(pdf), save=False)
    item.save()
    return item


DECLARATION_NAME = "to-khai-dien-tu.pdf"


# --- the level-4 assurance gate -----------------------------------------------------------------


def assurance_redirect(request: Any, procedure: Any) -> Any:
    """A fully online (level-4) procedure needs an e-ID session at ``VNEID_LEVEL4_MIN_LOA`` when
    e-ID login is on: otherwise send the citizen to log in with the e-ID at that level."""
    from portal.accounts import oidc

    if procedure.level != 4 or not oidc.is_enabled():
        return None
    if oidc.session_assurance(request) >= settings.VNEID_LEVEL4_MIN_LOA:
        return None
    query = urlencode({"next": request.get_full_path(), "muc": settings.VNEID_LEVEL4_MIN_LOA})
    return redirect(f"{reverse('accounts:vneid_login')}?{query}")
