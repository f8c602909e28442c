"""The common layout of every form, per Decree 30/2020/NĐ-CP Phụ lục I (Phần I): the date (mục 5.b),
the place (mục 5.a), the notation (mục 3.b, Phụ lục III) and the signer's authority (mục 8)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.agencies.constants import AgencyLevel
from portal.pdf.layout import (
    agency_abbreviation,
    locality_of,
    notation,
    signer_block,
    unit_abbreviation,
    vn_date,
)
from tests.factories.agencies import AgencyFactory


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 6, 9), "ngày 09 tháng 6 năm 2026"),  # the example the issue quotes
        (date(2026, 2, 15), "ngày 15 tháng 02 năm 2026"),  # months 1 and 2 take a leading zero
        (date(2026, 1, 2), "ngày 02 tháng 01 năm 2026"),
        (date(2026, 11, 24), "ngày 24 tháng 11 năm 2026"),
        (date(2026, 3, 10), "ngày 10 tháng 3 năm 2026"),  # month 3: no zero
    ],
)
def test_date_has_a_leading_zero_only_for_days_1_to_9_and_months_1_2(day, text):
    assert vn_date(day) == text


@pytest.mark.django_db
def test_place_is_the_locality_of_the_issuing_agency():
    province = AgencyFactory(province=True, name="Ủy ban nhân dân tỉnh Điện Biên")
    department = AgencyFactory(name="Sở Tư pháp", parent=province, level=AgencyLevel.DEPARTMENT)
    division = AgencyFactory(
        name="Phòng Hành chính tư pháp", parent=department, level=AgencyLevel.DIVISION
    )
    ward = AgencyFactory(name="UBND phường Mường Thanh", parent=province, level=AgencyLevel.COMMUNE)
    commune = AgencyFactory(
        name="Ủy ban nhân dân xã Mường Phăng", parent=province, level=AgencyLevel.COMMUNE
    )
    numbered = AgencyFactory(name="UBND Phường 5", parent=province, level=AgencyLevel.COMMUNE)
    assert (
        locality_of(department) == "Điện Biên"
    )  # a provincial department writes its province (mục 5.a)
    assert locality_of(division) == "Điện Biên"
    assert locality_of(ward) == "Mường Thanh"  # a ward's form names the ward
    assert locality_of(commune) == "Mường Phăng"
    assert locality_of(numbered) == "Phường 5"  # a unit named by a number keeps its full name


@pytest.mark.django_db
def test_notation_joins_the_type_and_the_agency_abbreviations():
    province = AgencyFactory(
        province=True, name="Ủy ban nhân dân tỉnh Điện Biên", short_name="UBND tỉnh"
    )
    justice = AgencyFactory(name="Sở Tư pháp tỉnh Điện Biên", parent=province)
    agri = AgencyFactory(name="Sở Nông nghiệp và Môi trường", parent=province)
    named = AgencyFactory(name="Sở Tài chính", short_name="STC", parent=province)
    assert notation("TB", justice) == "TB-STP"
    assert agency_abbreviation(agri) == "SNNMT"
    assert agency_abbreviation(named) == "STC"
    assert agency_abbreviation(province) == "UBND"
    assert notation("", justice) == "STP"  # a letter without a type name: the agency's only
    office = AgencyFactory(name="Văn phòng", parent=justice, level=AgencyLevel.DIVISION)
    division = AgencyFactory(
        name="Phòng Bổ trợ tư pháp", parent=justice, level=AgencyLevel.DIVISION
    )
    assert unit_abbreviation(office) == "VP"  # a letter's drafting unit (mục 3.b)
    assert unit_abbreviation(division) == "BTTP"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("agency_name", "level", "position", "lines"),
    [
        ("Sở Tư pháp", AgencyLevel.DEPARTMENT, "Giám đốc", ["GIÁM ĐỐC"]),
        ("Sở Tư pháp", AgencyLevel.DEPARTMENT, "Phó Giám đốc", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
        (
            "Sở Tư pháp",
            AgencyLevel.DEPARTMENT,
            "Trưởng phòng Hành chính tư pháp",
            ["TL. GIÁM ĐỐC", "TRƯỞNG PHÒNG HÀNH CHÍNH TƯ PHÁP"],
        ),
        (
            "UBND xã Mường Phăng",
            AgencyLevel.COMMUNE,
            "Chủ tịch",
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        ),
        (
            "UBND xã Mường Phăng",
            AgencyLevel.COMMUNE,
            "Phó Chủ tịch",
            ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
        ),
        (
            "Văn phòng Ủy ban nhân dân tỉnh",
            AgencyLevel.DEPARTMENT,
            "Phó Chánh Văn phòng",
            ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"],
        ),
    ],
)
def test_signer_authority_and_title_from_position_and_agency(agency_name, level, position, lines):
    """Decree 30/2020 Phụ lục I, Phần I, mục 8: KT. for a deputy, TM. for a collegial body."""
    agency = AgencyFactory(name=agency_name, level=level)
    block = signer_block(position=position, agency=agency)
    assert block.lines == lines
    assert "THỦ TRƯỞNG CƠ QUAN" not in block.lines
