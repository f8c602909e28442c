"""Filling the demo's birth registration e-form (mẫu TP/HT-2020-KS.1) in a browser."""

from __future__ import annotations


def fill_birth_eform(pg, commune_code: str, *, requester: bool = True) -> None:
    """Fill what the e-ID does not give; ``requester``: also the requester's own fields (a
    password login has no verified facts to prefill them)."""
    if requester:
        pg.fill("#id_ef-requester_name", "Nguyễn Văn An")
        pg.fill("#id_ef-requester_id", "011095001234")
    pg.select_option("#id_ef-requester_address-commune", commune_code)
    pg.fill("#id_ef-requester_address-detail", "Tổ 5")
    pg.select_option("#id_ef-relationship", "cha")
    pg.fill("#id_ef-child_name", "Lò Minh An")
    pg.fill("#id_ef-child_dob", "2026-05-20")
    pg.select_option("#id_ef-child_sex", "nam")
    pg.fill("#id_ef-child_ethnicity", "Thái")
    pg.fill("#id_ef-child_nationality", "Việt Nam")
    pg.fill("#id_ef-birth_place", "Bệnh viện đa khoa tỉnh Điện Biên")
    pg.fill("#id_ef-mother_name", "Quàng Thị Mai")
    pg.fill("#id_ef-mother_birth_year", "1995")
