"""The common layout of an administrative document (Decree 30/2020/NĐ-CP, Phụ lục I), for the
printed forms of Circular 03/2025/TT-VPCP Phụ lục I.

* :func:`vn_date` — Phụ lục I, Phần I, mục 5.b: the date is written in full in Arabic numerals,
  "a leading zero for days below 10 and for months 1 and 2": ``ngày 09 tháng 6 năm 2026``,
  ``ngày 15 tháng 02 năm 2026``, ``ngày 24 tháng 11 năm 2026``.
* :func:`locality_of` — mục 5.a: the place (địa danh) is the official name of the administrative
  unit where the issuing agency sits: a provincial agency and its departments write the
  province ("Điện Biên"), a commune's or ward's People's Committee its commune or ward
  ("Mường Thanh"); a unit named by a number keeps its full name ("Phường 5").
* :func:`agency_abbreviation` and :func:`notation` — mục 3.b: the notation (ký hiệu) of a document
  with a type name joins the type's abbreviation (Phụ lục III) and the issuing agency's:
  ``TB-STP``; a letter without a type name (công văn) carries the agency's abbreviation only.
* :func:`signer_block` — mục 8: the authority and title of the signer: the head signs under the
  title (``GIÁM ĐỐC``); a deputy signs "KT." for the head (``KT. GIÁM ĐỐC`` / ``PHÓ GIÁM ĐỐC``);
  for a collegial body (a People's Committee) "TM." the body before the title
  (``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH``); another official signs "TL." for the head.

Page numbers (mục 7: top centre, Arabic numerals, not shown on page 1) and the font (Times New
Roman, or a metric-compatible Debian font) live in ``pdf/base_form.html``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings

#: The fonts of the forms: Times New Roman (Decree 30/2020 Phụ lục I, Phần I, mục 2), else the
#: metric-compatible Liberation Serif (Debian fonts-liberation) or Tinos (fonts-croscore): same
#: advance widths, so lines break where they would in Times New Roman.
FONT_STACK = '"Times New Roman", "Liberation Serif", "Tinos", "Noto Serif", serif'

_PREFIXES = (
    "ủy ban nhân dân",
    "uỷ ban nhân dân",
    "ubnd",
    "hội đồng nhân dân",
    "hđnd",
)
_UNIT_WORDS = (
    "tỉnh",
    "thành phố",
    "xã",
    "phường",
    "đặc khu",
    "thị trấn",
    "huyện",
    "quận",
    "thị xã",
)


def vn_date(value: date | datetime | None) -> str:
    """``ngày 09 tháng 6 năm 2026`` (Decree 30/2020 Phụ lục I, Phần I, mục 5.b); dots when unknown."""
    if value is None:
        return "ngày ..... tháng ..... năm ........"
    day = f"{value.day:02d}"
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {day} tháng {month} năm {value.year}"


def _strip_unit_word(name: str) -> str:
    lowered = name.lower()
    for word in sorted(_UNIT_WORDS, key=len, reverse=True):
        if lowered.startswith(word + " "):
            rest = name[len(word) + 1 :].strip()
            # a unit named by a number keeps its full name ("Phường 5"), mục 5.a
            return name.strip() if rest[:1].isdigit() else rest
    return name.strip()


def _unit_name(agency: Any) -> str:
    """The proper name of the administrative unit of a People's Committee (or a province)."""
    name = agency.name.strip()
    lowered = name.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix + " "):
            name = name[len(prefix) + 1 :].strip()
            break
    return _strip_unit_word(name)


def locality_of(agency: Any) -> str:
    """The place written on the agency's documents (Decree 30/2020 Phụ lục I, Phần I, mục 5.a).

    Walks up to the commune/ward (or legacy district) or the province the agency belongs to; a
    provincial department writes its province. Falls back to ``PROVINCE_NAME``.
    """
    from portal.agencies.constants import AgencyLevel

    node = agency
    while node is not None:
        if node.level in (AgencyLevel.COMMUNE, AgencyLevel.DISTRICT):
            return _unit_name(node)
        if node.level == AgencyLevel.PROVINCE:
            return settings.PROVINCE_NAME or _unit_name(node)
        node = node.parent
    return settings.PROVINCE_NAME


def _ascii_upper(char: str) -> str:
    if char in "đĐ":
        return "Đ"
    base = unicodedata.normalize("NFD", char)[0]
    return base.upper()


_SKIP = {"và", "các", "của"}


def agency_abbreviation(agency: Any) -> str:
    """The agency's abbreviation in notations: its one-word short name ("STP"), else the initials
    of its name ("Sở Tư pháp" → "STP", "Ủy ban nhân dân xã Mường Phăng" → "UBND")."""
    short = (getattr(agency, "short_name", "") or "").strip()
    if short and " " not in short:
        return short
    name = agency.name.strip()
    lowered = name.lower()
    for prefix in ("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd"):
        if lowered.startswith(prefix):
            return "UBND"
    if short:
        return short.split()[0]
    return _initials(name) or agency.code


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s,\-–]+", name) if w and w.lower() not in _SKIP]
    # stop before the locality ("Sở Tư pháp tỉnh Điện Biên" → "STP")
    for i, w in enumerate(words):
        if w.lower() in ("tỉnh", "thành", "xã", "phường"):
            words = words[:i]
            break
    return "".join(_ascii_upper(w[0]) for w in words)


def unit_abbreviation(unit: Any) -> str:
    """A drafting unit's abbreviation in a letter's notation (Decree 30/2020 Phụ lục I, Phần I,
    mục 3.b: "chữ viết tắt tên đơn vị soạn thảo"): its one-word short name, else the initials of
    its name without the generic "Phòng" that starts a division's name ("Phòng Hành chính tư
    pháp" → "HCTP"); "Văn phòng" is an office's own name ("VP"). The dropped "Phòng" is the
    portal's reading of how offices write it."""
    short = (getattr(unit, "short_name", "") or "").strip()
    if short and " " not in short:
        return short
    name = unit.name.strip()
    if name.lower().startswith("phòng "):
        rest = _initials(name[len("phòng ") :])
        if rest:
            return rest
    return agency_abbreviation(unit)


def notation(type_abbreviation: str, agency: Any) -> str:
    """``TB-STP``: the document type's abbreviation (Decree 30/2020 Phụ lục III) and the issuing
    agency's (Phụ lục I, Phần I, mục 3.b); the agency's alone for a letter without a type name."""
    abbr = agency_abbreviation(agency)
    return f"{type_abbreviation}-{abbr}" if type_abbreviation else abbr


@dataclass(frozen=True)
class SignerBlock:
    """The lines above the signature (Decree 30/2020 Phụ lục I, Phần I, mục 8)."""

    authority: str  # "TM. ỦY BAN NHÂN DÂN", "KT. GIÁM ĐỐC", "" (the head signs under his own title)
    deputy_authority: str  # "KT. CHỦ TỊCH" under a "TM." line, else ""
    title: str  # "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "CHỦ TỊCH"

    @property
    def lines(self) -> list[str]:
        return [x for x in (self.authority, self.deputy_authority, self.title) if x]


def _is_collegial(agency: Any) -> bool:
    lowered = agency.name.strip().lower()
    return lowered.startswith(("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd"))


def head_title(agency: Any) -> str:
    """The title of the agency's head, from the kind of agency its name says."""
    lowered = agency.name.strip().lower()
    if _is_collegial(agency):
        return "Chủ tịch"
    for start, title in (
        ("văn phòng", "Chánh Văn phòng"),
        ("thanh tra", "Chánh Thanh tra"),
        ("chi cục", "Chi cục trưởng"),
        ("ban ", "Trưởng ban"),
        ("phòng", "Trưởng phòng"),
        ("sở", "Giám đốc"),
        ("trung tâm", "Giám đốc"),
        ("công an", "Giám đốc"),
        ("bảo hiểm", "Giám đốc"),
        ("cục", "Cục trưởng"),
    ):
        if lowered.startswith(start):
            return title
    return "Thủ trưởng cơ quan"


def signer_block(*, position: str, agency: Any) -> SignerBlock:
    """The signer's authority and title from his position in ``agency`` (Decree 30/2020 Phụ lục I,
    Phần I, mục 8.a–b).

    * the head ("Giám đốc" of a Sở) → ``GIÁM ĐỐC``;
    * a deputy ("Phó Giám đốc") → ``KT. GIÁM ĐỐC`` / ``PHÓ GIÁM ĐỐC``;
    * in a People's Committee: ``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH``, a vice-chairman adds
      ``KT. CHỦ TỊCH`` / ``PHÓ CHỦ TỊCH``;
    * anyone else (a head of division) signs "TL." (by order of) the head, under his own title;
    * no position recorded: the head's title (the leader who approved it), see docs/regulations.md.
    """
    head = head_title(agency)
    pos = " ".join((position or "").split())
    collegial = _is_collegial(agency)
    top = "TM. ỦY BAN NHÂN DÂN" if collegial else ""
    if not pos or pos.lower() == head.lower():
        return SignerBlock(top, "", head.upper())
    if pos.lower().startswith("phó ") and pos[4:].lower() == head.lower():
        kt = f"KT. {head.upper()}"
        return SignerBlock(top, kt, pos.upper()) if collegial else SignerBlock(kt, "", pos.upper())
    tl = f"TL. {head.upper()}"
    return SignerBlock(top, tl, pos.upper()) if collegial else SignerBlock(tl, "", pos.upper())
