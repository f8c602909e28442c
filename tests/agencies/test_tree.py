"""Agencies form a tree of any depth; scoping by subtree is one indexed query."""

import pytest
from django.core.exceptions import ValidationError

from portal.agencies.constants import AgencyLevel
from portal.agencies.demo import seed_agencies
from portal.agencies.models import Agency

pytestmark = pytest.mark.django_db


def make(code, name, level, parent=None):
    return Agency.objects.create(code=code, name=name, level=level, parent=parent)


def test_subtree_of_any_depth():
    province = make("000.00.00.H18", "UBND tỉnh", AgencyLevel.PROVINCE)
    district = make("000.00.20.H18", "UBND huyện (cũ)", AgencyLevel.DISTRICT, province)
    commune = make("000.01.20.H18", "UBND xã", AgencyLevel.COMMUNE, district)
    other = make("000.00.21.H18", "Sở khác", AgencyLevel.DEPARTMENT, province)

    assert set(Agency.objects.subtree_of(district)) == {district, commune}
    assert set(Agency.objects.subtree_of(province)) == {province, district, commune, other}
    assert commune.is_within(province) and commune.is_within(district)
    assert not other.is_within(district)
    assert commune.depth == 2
    assert list(commune.ancestors()) == [province, district]
    assert commune.province() == province


def test_moving_a_branch_rewrites_descendant_paths():
    province = make("000.00.00.H18", "UBND tỉnh", AgencyLevel.PROVINCE)
    a = make("000.00.01.H18", "Sở A", AgencyLevel.DEPARTMENT, province)
    b = make("000.00.02.H18", "Sở B", AgencyLevel.DEPARTMENT, province)
    division = make("000.01.01.H18", "Phòng 1", AgencyLevel.DIVISION, a)
    leaf = make("000.02.01.H18", "Tổ 1", AgencyLevel.DIVISION, division)

    division.parent = b
    division.save()
    leaf.refresh_from_db()

    assert leaf.path == f"{province.pk}/{b.pk}/{division.pk}/{leaf.pk}"
    assert set(Agency.objects.subtree_of(b)) == {b, division, leaf}
    assert set(Agency.objects.subtree_of(a)) == {a}


def test_an_agency_cannot_become_its_own_ancestor():
    province = make("000.00.00.H18", "UBND tỉnh", AgencyLevel.PROVINCE)
    dept = make("000.00.01.H18", "Sở A", AgencyLevel.DEPARTMENT, province)
    province.parent = dept
    with pytest.raises(ValidationError):
        province.full_clean()


@pytest.mark.parametrize("code", ["000.00.01.H18", "000.12.34.H99", "G09.20.01.H18"])
def test_official_code_format_accepted(code):
    Agency(code=code, name="x", level=AgencyLevel.DEPARTMENT).full_clean()


@pytest.mark.parametrize("code", ["000.00.1.H18", "00.00.01.H18", "000-00-01-H18", "000.00.01.18"])
def test_bad_official_code_refused_with_a_vietnamese_message(code):
    with pytest.raises(ValidationError) as exc:
        Agency(code=code, name="x", level=AgencyLevel.DEPARTMENT).full_clean()
    assert "Mã đơn vị" in str(exc.value)


def test_demo_province_has_departments_and_communes_and_is_idempotent():
    province = seed_agencies()
    seed_agencies()
    assert province.level == AgencyLevel.PROVINCE
    departments = Agency.objects.filter(parent=province, level=AgencyLevel.DEPARTMENT)
    communes = Agency.objects.filter(parent=province, level=AgencyLevel.COMMUNE)
    assert departments.count() >= 12
    assert communes.count() >= 20
    assert Agency.objects.filter(name="UBND phường Mường Thanh").exists()
    assert Agency.objects.filter(level=AgencyLevel.DIVISION, parent__in=departments).count() >= 10
    for agency in Agency.objects.all():
        agency.full_clean()
