"""Labels of dossier codes in the reader's language (issue 14: the public tracking page showed
the national portal's Vietnamese status names on English pages)."""

from __future__ import annotations

from django import template

from ..constants import DossierStatus

register = template.Library()


@register.filter
def status_label(value: int | None) -> str:
    """The status code's label (``DossierStatus``), translated; "" for no or an unknown code."""
    if value is None:
        return ""
    try:
        return str(DossierStatus(value).label)
    except ValueError:
        return ""
