"""Demo identities of the simulated VNeID, with the claims the national sign-on returns.

Claim names and types follow the national portal's userinfo as a public integration reads it
(``UserInfoVneidRequest``/``UserInfoDvcqgRequest`` of the Thanh Hóa system, fork
HuanVu201/DichVuCong_KhoaLuan_PASETO): ``LoaiTaiKhoan`` an integer (1 citizen, 2 organisation),
``loAs`` a string such as ``"LoA2"``, ``IAL`` an integer, ``NgayThangNamSinh`` ``dd/MM/yyyy``.
"""

from __future__ import annotations

#: Password of every demo identity on the simulator's login page.
DEMO_PASSWORD = "VNeID@2026"

IDENTITIES: list[dict] = [
    {
        "SoDinhDanh": "011090001234",
        "HoVaTen": "Lò Văn Hùng",
        "NgayThangNamSinh": "15/03/1990",
        "GioiTinh": 1,
        "LoaiTaiKhoan": 1,
        "loAs": "LoA2",
        "IAL": 2,
        "TechID": "b3f1c2a0-0001-4c1e-9d1a-000000000001",
        "ThuDienTu": "lovanhung@example.vn",
        "SoDienThoai": "0912000111",
        "ThuongTru": "Tổ 5, phường Điện Biên Phủ, tỉnh Điện Biên",
        "QuocTich": "Việt Nam",
        "DanToc": "Thái",
    },
    {
        "SoDinhDanh": "011095005678",
        "HoVaTen": "Quàng Thị Mai",
        "NgayThangNamSinh": "02/09/1995",
        "GioiTinh": 2,
        "LoaiTaiKhoan": 1,
        "loAs": "LoA1",
        "IAL": 1,
        "TechID": "b3f1c2a0-0002-4c1e-9d1a-000000000002",
        "ThuDienTu": "quangthimai@example.vn",
        "SoDienThoai": "0912000222",
        "ThuongTru": "Bản Him Lam, phường Him Lam, tỉnh Điện Biên",
        "QuocTich": "Việt Nam",
        "DanToc": "Thái",
    },
    {
        "SoDinhDanh": "011088009999",
        "HoVaTen": "Nguyễn Văn An",
        "NgayThangNamSinh": "20/11/1988",
        "GioiTinh": 1,
        "LoaiTaiKhoan": 2,
        "loAs": "LoA2",
        "IAL": 2,
        "TechID": "b3f1c2a0-0003-4c1e-9d1a-000000000003",
        "MaSoThue": "5600123450",
        "MaSoDoanhNghiep": "5600123450",
        "TenDoanhNghiep": "Công ty TNHH Mường Thanh Xanh",
        "DiaChi": "Số 12 đường Võ Nguyên Giáp, phường Điện Biên Phủ, tỉnh Điện Biên",
        "ThuDienTu": "an@muongthanhxanh.vn",
        "SoDienThoai": "0912000333",
    },
]


def by_number(number: str) -> dict | None:
    return next((i for i in IDENTITIES if i["SoDinhDanh"] == number), None)
