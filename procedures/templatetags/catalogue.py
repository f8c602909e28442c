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


@register.filter
def processing_time(procedure) -> str:
    """ "1 working day", "5 working days", "8 working hours", "30 calendar days" with the right
    plural in the reader's language (issue 14 saw "1 working days")."""
    from decimal import Decimal

    from django.utils.translation import ngettext

    from ..constants import TimeUnit

    amount = procedure.processing_time
    if amount is None:
        return "—"
    value = decimal_trim(amount)
    count = 1 if Decimal(amount) == 1 else 2
    forms = {
        TimeUnit.WORKING_DAYS: ngettext("%(n)s working day", "%(n)s working days", count),
        TimeUnit.WORKING_HOURS: ngettext("%(n)s working hour", "%(n)s working hours", count),
        TimeUnit.CALENDAR_DAYS: ngettext("%(n)s calendar day", "%(n)s calendar days", count),
    }
    template = forms.get(procedure.time_unit, "%(n)s " + str(procedure.get_time_unit_display()))
    return template % {"n": value}
