"""``{% eform_summary dossier %}``: the e-form's answers as the clerk and the citizen read them."""

from __future__ import annotations

from typing import Any

from django import template

from procedures.eforms import display_rows

from ..eforms import definition_of, eform_answers

register = template.Library()


@register.inclusion_tag("dossiers/eform/summary.html")
def eform_summary(dossier: Any) -> dict[str, Any]:
    defn = definition_of(dossier.procedure_version.snapshot)
    answers = eform_answers(dossier)
    return {"defn": defn, "rows": display_rows(defn, answers) if defn and answers else []}


@register.inclusion_tag("dossiers/eform/store_offer.html")
def store_offer(
    store: dict[int, list[Any]], document_id: int, existing: Any = None
) -> dict[str, Any]:
    """One-click buttons offering the citizen's stored documents of the right kind."""
    return {
        "offers": (store or {}).get(document_id, []),
        "document_id": document_id,
        "existing": existing,
    }
