"""``render_pdf``: a Django template → PDF bytes with WeasyPrint.

Forms are official Vietnamese documents (Circular 01/2018/TT-VPCP, Decree 30/2020/ND-CP layout), so
they are always rendered in Vietnamese whatever the user's language. Text is NFC-normalised:
decomposed Vietnamese marks render misplaced (TECH-NOTES "PDFs"). Long documents (the tracking book)
belong in a Celery task, never in a web request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.core.text import nfc


def render_html(template_name: str, context: dict[str, Any]) -> str:
    """The form's HTML, in Vietnamese, NFC-normalised."""
    with translation.override("vi"):
        html = render_to_string(template_name, {"province_name": settings.PROVINCE_NAME, **context})
    return nfc(html)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` (usually extending ``pdf/base_form.html``) to PDF bytes."""
    from weasyprint import HTML

    html = render_html(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
