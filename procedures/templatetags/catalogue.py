"""Template helpers of the catalogue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def vnd(value) -> str:
    """Format an amount in Vietnamese đồng: 1500000 → "1.500.000 đ"; 0 → "Free" (translated)."""
    try:
        amount = int(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if amount == 0:
        return _("Free of charge")
    return f"{amount:,}".replace(",", ".") + " đ"


@register.filter
def decimal_trim(value) -> str:
    """15.0 → "15", 0.5 → "0,5" (Vietnamese decimal comma)."""
    try:
        d = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{d:f}"
    return text.replace(".", ",")


@register.simple_tag(takes_context=True)
def page_url(context, page_number: int) -> str:
    qs = context.get("query_string", "")
    return f"?{qs}&page={page_number}" if qs else f"?page={page_number}"


@register.filter
def local_name(obj) -> str:
    """The object's English name when the page is in English and it has one, else its name."""
    name_en = getattr(obj, "name_en", "")
    if name_en and (get_language() or "vi").startswith("en"):
        return name_en
    return obj.name
