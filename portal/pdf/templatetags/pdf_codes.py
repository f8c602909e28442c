"""``{% load pdf_codes %}``: ``{{ url|qr_svg }}``, ``{{ url|qr_png }}``, ``{{ code|code128 }}``,
``{{ day|vn_date }}`` (Decree 30/2020 Phụ lục I: "ngày 09 tháng 6 năm 2026") in PDF templates."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from portal.pdf import codes, layout

register = template.Library()


@register.filter
def qr_svg(url: str) -> SafeString:
    return mark_safe(codes.qr_svg(str(url)))  # noqa: S308 - segno's own SVG


@register.filter
def qr_png(url: str) -> str:
    return codes.qr_png_data_uri(str(url))


@register.filter
def code128(text: str) -> str:
    """The bars only, as a tiny PNG (fast to draw); print the code as text next to it."""
    return codes.code128_png_data_uri(str(text))


@register.filter
def vn_date(value) -> str:
    """``ngày 09 tháng 6 năm 2026`` (Decree 30/2020/NĐ-CP Phụ lục I, Phần I, mục 5.b)."""
    return layout.vn_date(value or None)


@register.filter
def break_after_hyphens(text: str) -> SafeString:
    """A dossier code that may wrap after its hyphens ("000.00.03.H18-⏎20260609-0000011"): the
    tracking book's code column is narrower than a code (issue 14 "Layout": it overflowed)."""
    from django.utils.html import escape

    return mark_safe(escape(text or "").replace("-", "-<wbr>"))  # noqa: S308 - escaped above
