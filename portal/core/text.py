"""Text helpers for Vietnamese."""

from __future__ import annotations

import functools
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


#: The Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …), with f j w z where Latin has them.
_VN_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
#: Tone marks, compared only when the letters are equal: none, huyền, hỏi, ngã, sắc, nặng.
_VN_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


@functools.lru_cache(maxsize=4096)  # the same few hundred agency names, sorted on every picker
def vn_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A sort key in Vietnamese alphabetical order (issue 14: agency pickers): "Đ" is a letter of
    its own after "D" (Sở Du lịch before Sở Đồ…, never mixed in by a fold đ → d, nor after "Z" as
    a code-point sort puts it), "ă", "â" follow "a", "ơ" follows "ô"; tones decide only between
    otherwise equal names; digits and spaces come before letters.

    >>> sorted(["Sở Y tế", "Sở Đầu tư", "Sở Du lịch", "Sở Xây dựng"], key=vn_sort_key)
    ['Sở Du lịch', 'Sở Đầu tư', 'Sở Xây dựng', 'Sở Y tế']
    """
    letters: list[int] = []
    tones: list[int] = []
    for ch in nfc(text).lower():
        parts = unicodedata.normalize("NFD", ch)
        tone = next((_VN_TONES[m] for m in parts[1:] if m in _VN_TONES), 0)
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in _VN_TONES))
        position = _VN_LETTERS.find(base)
        letters.append(1000 + position if position >= 0 else ord(base[:1] or " "))
        tones.append(tone)
    return tuple(letters), tuple(tones)
