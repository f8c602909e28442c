"""``{% load printed_forms %}{% printed_forms dossier %}``: the dossier's forms on its page.

An inclusion tag, so the detail page needs one line and its view no change; the page's reader
already may see the dossier (the view checked it through the selector).
"""

from __future__ import annotations

from typing import Any

from django import template

from dossiers.printing_views import forms_context

register = template.Library()


@register.inclusion_tag("dossiers/_printed_forms.html", takes_context=True)
def printed_forms(context: dict[str, Any], dossier: Any) -> dict[str, Any]:
    return {**forms_context(context["request"], dossier), "csrf_token": context.get("csrf_token")}
