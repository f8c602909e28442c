"""Text helpers for Vietnamese."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """NFC-normalise: decomposed Vietnamese marks render misplaced in PDFs and compare unequal."""
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces, for diacritic-insensitive search.

    >>> fold("Đăng ký  KHAI SINH")
    'dang ky khai sinh'
    """
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()
