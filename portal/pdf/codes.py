"""QR codes (segno) and Code 128 barcodes (python-barcode) for the printed forms, as SVG or data URIs.

The receipt (form 01 of Circular 03/2025/TT-VPCP Phụ lục I) carries the dossier code; a QR code with the tracking
URL and a Code 128 barcode of the code let the counter scan it back.
"""

from __future__ import annotations

import base64
import io

import segno
from barcode import Code128
from barcode.writer import SVGWriter


def qr_svg(url: str, *, scale: int = 3, border: int = 1) -> str:
    """The QR code of ``url`` as an inline ``<svg>`` element (error correction M)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=scale, border=border, xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()


def qr_png_data_uri(url: str, *, scale: int = 4, border: int = 1) -> str:
    """The QR code of ``url`` as a ``data:image/png;base64,...`` URI (for ``<img src>``).

    Mask pattern 0 is fixed: scoring the eight masks to pick the "best" one cost most of the QR's
    time (~25 ms a receipt); any mask is valid for every reader (ISO/IEC 18004 §7.8).
    """
    return segno.make(url, error="m", micro=False, mask=0).png_data_uri(scale=scale, border=border)


def code128_svg(
    text: str, *, module_width: float = 0.25, module_height: float = 10.0, with_text: bool = True
) -> str:
    """A Code 128 barcode of ``text`` as SVG markup (sizes in millimetres)."""
    buffer = io.BytesIO()
    options = {
        "module_width": module_width,
        "module_height": module_height,
        "write_text": with_text,
        "font_size": 8,
        "text_distance": 3,
        "quiet_zone": 2,
    }
    Code128(text, writer=SVGWriter()).write(buffer, options)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def code128_data_uri(text: str, **options: object) -> str:
    """The Code 128 barcode of ``text`` as a ``data:image/svg+xml;base64,...`` URI."""
    svg = code128_svg(text, **options)  # type: ignore[arg-type]
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def code128_png_data_uri(text: str) -> str:
    """The Code 128 bars of ``text`` as a 1-pixel-high PNG, one pixel per module, stretched by
    the page's CSS (``image-rendering: pixelated`` keeps the edges sharp: no interpolation).

    The cheapest image for WeasyPrint: no SVG to parse and draw (bench/forms.py).
    """
    from PIL import Image

    modules = "0" * 10 + Code128(text).build()[0] + "0" * 10
    image = Image.new("1", (len(modules), 1), 1)
    image.putdata([0 if m == "1" else 1 for m in modules])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
