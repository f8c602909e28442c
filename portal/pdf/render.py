"""``render_pdf``: a Django template → PDF bytes with WeasyPrint.

Forms are official Vietnamese documents (Phụ lục I of Circular 03/2025/TT-VPCP, laid out per
Decree 30/2020/NĐ-CP Phụ lục I), so
they are always rendered in Vietnamese whatever the user's language. Text is NFC-normalised:
decomposed Vietnamese marks render misplaced (docs/tech-facts.md "PDFs"). Long documents (the tracking book)
belong in a Celery task, never in a web request.

Speed (bench/forms.py): one :class:`FontConfiguration` per process (fonts are found and loaded
once, not per document) and one image cache; each template's static CSS (``pdf/base_form.html``
rendered with ``css_only``) is parsed once per process and given to WeasyPrint as a user-origin
stylesheet (the document's own small inline style, author origin, still wins); the barcode is one
PNG, not hundreds of SVG rects. Long tables (the tracking book) are split into several tables
of a few dozen rows in one document: measured linear in the rows with WeasyPrint 70
(bench/forms.py), with one layout pass and native page counters (the number at the top centre
from page 2, Decree 30/2020 Phụ lục I).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.core.text import nfc

_FONTS: dict[int, Any] = {}
_IMAGES: dict[int, dict] = {}
_SHEETS: dict[tuple[int, str], Any] = {}
_MAX_CACHED_IMAGES = 256


def _font_config() -> Any:
    """The process's FontConfiguration (made lazily: a forked Celery child makes its own)."""
    pid = os.getpid()
    if pid not in _FONTS:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS.clear()
        _FONTS[pid] = FontConfiguration()
    return _FONTS[pid]


def _image_cache() -> dict:
    cache = _IMAGES.setdefault(os.getpid(), {})
    if len(cache) > _MAX_CACHED_IMAGES:  # every receipt has its own QR code: keep it bounded
        cache.clear()
    return cache


def form_css(template_name: str) -> str:
    """The static CSS of a form template (its ``css`` block); no context: the same for every form."""
    with translation.override("vi"):
        return nfc(render_to_string(template_name, {"css_only": True}))


def _stylesheet(template_name: str) -> Any:
    """The parsed CSS of ``template_name``, cached per process (and per template; edits to a
    template's CSS need a worker restart, like any code change)."""
    from weasyprint import CSS

    key = (os.getpid(), template_name)
    sheet = _SHEETS.get(key)
    if sheet is None:
        if len(_SHEETS) > 64 or any(pid != os.getpid() for pid, _ in _SHEETS):
            _SHEETS.clear()
        sheet = _SHEETS[key] = CSS(string=form_css(template_name), font_config=_font_config())
    return sheet


def render_html(template_name: str, context: dict[str, Any], *, inline_css: bool = True) -> str:
    """The form's HTML, in Vietnamese, NFC-normalised; with its CSS inline unless the caller
    gives WeasyPrint the cached stylesheet instead."""
    extra = {"inline_css": form_css(template_name)} if inline_css else {}
    with translation.override("vi"):
        html = render_to_string(
            template_name, {"province_name": settings.PROVINCE_NAME, **extra, **context}
        )
    return nfc(html)


def _document(template_name: str, context: dict[str, Any]) -> Any:
    from weasyprint import HTML

    html = render_html(template_name, context, inline_css=False)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        font_config=_font_config(),
        cache=_image_cache(),
        stylesheets=[_stylesheet(template_name)],
    )


def render_document(template_name: str, context: dict[str, Any]) -> tuple[bytes, int]:
    """Render ``template_name`` to PDF bytes; also return the number of pages.

    With ``context["copies"]`` (the copy markers, "Liên 1: Lưu", "Liên 2: Giao khách hàng"), the
    form is laid out once per copy (``copy`` in its context) and the copies' pages joined in one
    PDF: each copy is a document of its own, its pages numbered from its own first page."""
    copies = context.get("copies") or [None]
    documents = [_document(template_name, {**context, "copy": copy}) for copy in copies]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(), len(pages)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` (usually extending ``pdf/base_form.html``) to PDF bytes."""
    return render_document(template_name, context)[0]
