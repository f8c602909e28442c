"""The visible signature: stamp layout (Decree 30/2020/NĐ-CP, Appendix I §II), its font and
images, and the empty signature fields prepared before the first signature."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import SigningError
from .models import SigningCertificate

if TYPE_CHECKING:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.stamp import TextStampStyle


@dataclass(frozen=True)
class StampSpec:
    """The visible signature (Decree 30/2020/NĐ-CP, Appendix I §II: signer, position, agency, time;
    the agency's seal in red for the clerical office's issuing signature).

    ``box`` is (x1, y1, x2, y2) in PDF points on ``page`` (0-based; -1 = last page). ``extra_lines``
    carry e.g. the document number and date for the clerical office's signature.
    """

    page: int = -1
    box: tuple[int, int, int, int] = (320, 40, 565, 130)
    signature_image: bytes | None = None
    seal_image: bytes | None = None
    extra_lines: tuple[str, ...] = ()
    verify_url: str = ""
    visible: bool = True


@dataclass(frozen=True)
class FieldSpec:
    name: str
    page: int = -1
    box: tuple[int, int, int, int] = (320, 40, 565, 130)


def reader_page(reader: PdfFileReader, page: int) -> int:
    """A 0-based page index from ``page`` (negative: from the end)."""
    count = int(reader.root["/Pages"]["/Count"])
    return count + page if page < 0 else page


def prepare_signature_fields(*, pdf_bytes: bytes, fields: Sequence[FieldSpec]) -> bytes:
    """Create every signature field before the first signature, so later signers only fill an
    existing field (adding a field after a signature is a change the earlier signature flags)."""
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = pdf_writer(pdf_bytes)
    for spec in fields:
        append_signature_field(
            writer,
            SigFieldSpec(
                sig_field_name=spec.name, on_page=reader_page(writer.prev, spec.page), box=spec.box
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_writer(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over ``pdf_bytes`` (signatures append, never rewrite)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError

    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise SigningError(_("The document is not a readable PDF.")) from exc


def _stamp_font_path() -> str:
    """The stamp font cut down once to the glyphs Vietnamese needs (Latin, Latin Extended
    Additional, combining marks, punctuation): pyHanko subsets the font at every signature, and
    a 500 KB Noto Sans made that the slowest step of signing."""
    from fontTools import subset

    source = Path(settings.SIGNATURE_FONT)
    target = Path(settings.VAR_DIR) / "fonts" / f"{source.stem}-vi.ttf"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        target.parent.mkdir(parents=True, exist_ok=True)
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        unicodes = [
            *range(0x20, 0x7F),
            *range(0xA0, 0x250),
            *range(0x300, 0x370),
            *range(0x1EA0, 0x1F00),
            *range(0x2010, 0x2050),
            0x20AB,
        ]
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        os.replace(tmp, target)
    return str(target)


def _font() -> GlyphAccumulatorFactory:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return GlyphAccumulatorFactory(_stamp_font_path(), font_size=7)


def _background(spec: StampSpec) -> PdfImage | None:
    """Seal (behind, left third) and handwritten signature composed into one image."""
    if not spec.signature_image and not spec.seal_image:
        return None
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage

    canvas = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    if spec.seal_image:
        seal = Image.open(io.BytesIO(spec.seal_image)).convert("RGBA")
        seal.thumbnail((240, 240))
        canvas.alpha_composite(seal, (0, 0))
    if spec.signature_image:
        sig = Image.open(io.BytesIO(spec.signature_image)).convert("RGBA")
        sig.thumbnail((400, 200))
        canvas.alpha_composite(sig, (120, 20))
    return PdfImage(canvas)


def stamp_style(spec: StampSpec, *, cert: SigningCertificate) -> TextStampStyle:
    """The stamp's text and look; with a verification address, the QR-code stamp."""
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import QRStampStyle, TextStampStyle

    lines = [
        "Ký bởi: %(signer_name)s",
        "Chức vụ: %(position)s" if cert.title else "",
        "Cơ quan: %(agency)s" if cert.organisation else "",
        "Thời gian ký: %(signed_at)s",
        *[line.replace("%", "%%") for line in spec.extra_lines],
    ]
    background = _background(spec)
    style_class = QRStampStyle if spec.verify_url else TextStampStyle
    return style_class(
        stamp_text="\n".join(line for line in lines if line),
        text_box_style=TextBoxStyle(font=_font()),
        border_width=1,
        border_color=(0.75, 0.1, 0.1),
        background=background,
        background_opacity=0.9,  # only used with a background (seal and signature image)
    )
