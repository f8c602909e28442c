"""Demo data: Điện Biên province, its departments and its communes/wards (after 1 July 2025)."""

from __future__ import annotations

from .constants import AgencyLevel
from .models import Agency

PROVINCE_CODE = "000.00.00.H18"

DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    # (code number, Vietnamese name, English name, divisions)
    (
        "01",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Office of the Provincial People's Committee",
        ["Trung tâm Phục vụ hành chính công tỉnh"],
    ),
    (
        "02",
        "Sở Nội vụ",
        "Department of Home Affairs",
        ["Phòng Công chức, viên chức", "Phòng Lao động - Việc làm"],
    ),
    (
        "03",
        "Sở Tư pháp",
        "Department of Justice",
        ["Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp"],
    ),
    (
        "04",
        "Sở Tài chính",
        "Department of Finance",
        ["Phòng Đăng ký kinh doanh", "Phòng Quản lý giá và công sản"],
    ),
    ("05", "Sở Công Thương", "Department of Industry and Trade", ["Phòng Quản lý thương mại"]),
    (
        "06",
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        ["Phòng Quản lý đất đai", "Chi cục Thú y"],
    ),
    (
        "07",
        "Sở Xây dựng",
        "Department of Construction",
        ["Phòng Quản lý hoạt động xây dựng", "Phòng Quản lý vận tải"],
    ),
    ("08", "Sở Y tế", "Department of Health", ["Phòng Nghiệp vụ Dược"]),
    (
        "09",
        "Sở Giáo dục và Đào tạo",
        "Department of Education and Training",
        ["Phòng Khảo thí và Quản lý chất lượng"],
    ),
    (
        "10",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Department of Culture, Sports and Tourism",
        ["Phòng Quản lý du lịch"],
    ),
    (
        "11",
        "Sở Khoa học và Công nghệ",
        "Department of Science and Technology",
        ["Phòng Chuyển đổi số"],
    ),
    ("12", "Sở Dân tộc và Tôn giáo", "Department of Ethnic Minorities and Religions", []),
    ("13", "Thanh tra tỉnh", "Provincial Inspectorate", []),
    (
        "14",
        "Công an tỉnh",
        "Provincial Police",
        ["Phòng Cảnh sát quản lý hành chính về trật tự xã hội"],
    ),
    ("15", "Ban Quản lý các khu kinh tế tỉnh", "Provincial Economic Zones Authority", []),
]

#: Wards (phường) and communes (xã) of Điện Biên after the 2025 reorganisation.
WARDS = ["Điện Biên Phủ", "Mường Thanh", "Mường Lay"]
COMMUNES = [
    "Mường Phăng",
    "Thanh Nưa",
    "Thanh An",
    "Thanh Yên",
    "Sam Mứn",
    "Núa Ngam",
    "Mường Nhé",
    "Sín Thầu",
    "Mường Toong",
    "Nậm Kè",
    "Quảng Lâm",
    "Nà Hỳ",
    "Mường Chà",
    "Nà Bủng",
    "Chà Tở",
    "Si Pa Phìn",
    "Na Sang",
    "Pa Ham",
    "Nậm Nèn",
    "Mường Pồn",
    "Na Son",
    "Xa Dung",
    "Pu Nhi",
    "Mường Luân",
    "Tìa Dình",
    "Phình Giàng",
    "Tủa Chùa",
    "Sín Chải",
    "Sính Phình",
    "Tủa Thàng",
    "Sáng Nhè",
    "Tuần Giáo",
    "Quài Tở",
    "Mường Mùn",
    "Pú Nhung",
    "Chiềng Sinh",
    "Mường Ảng",
    "Nà Tấu",
    "Búng Lao",
    "Mường Lạn",
    "Mường Chà Tây",
    "Na Tông",
]


def seed_agencies() -> Agency:
    """Create (or update) the demo province tree; returns the province. Idempotent."""
    province, _ = Agency.objects.update_or_create(
        code=PROVINCE_CODE,
        defaults=dict(
            name="Ủy ban nhân dân tỉnh Điện Biên",
            name_en="Điện Biên Provincial People's Committee",
            short_name="UBND tỉnh",
            level=AgencyLevel.PROVINCE,
            parent=None,
            address="Số 853, đường Võ Nguyên Giáp, phường Điện Biên Phủ, tỉnh Điện Biên",
            phone="0215 3825 xxx",
            email="ubnd@dienbien.gov.vn",
            website="https://dienbien.gov.vn",
            counter_name="Trung tâm Phục vụ hành chính công tỉnh Điện Biên",
            counter_address="Tổ dân phố 10, phường Điện Biên Phủ, tỉnh Điện Biên",
            counter_hours="Sáng 7:00–11:30, chiều 13:30–17:00 từ thứ Hai đến thứ Sáu",
        ),
    )
    for number, name, name_en, divisions in DEPARTMENTS:
        dept, _ = Agency.objects.update_or_create(
            code=f"000.00.{number}.H18",
            defaults=dict(
                name=name,
                name_en=name_en,
                level=AgencyLevel.DEPARTMENT,
                parent=province,
                address="Phường Điện Biên Phủ, tỉnh Điện Biên",
                email=f"so{number}@dienbien.gov.vn",
                counter_name="Quầy " + name + " tại Trung tâm Phục vụ hành chính công tỉnh",
                counter_address=province.counter_address,
                counter_hours=province.counter_hours,
            ),
        )
        for i, division in enumerate(divisions, start=1):
            Agency.objects.update_or_create(
                code=f"000.{i:02d}.{number}.H18",
                defaults=dict(name=division, level=AgencyLevel.DIVISION, parent=dept),
            )
    for n, name in enumerate(WARDS + COMMUNES, start=51):
        is_ward = name in WARDS
        Agency.objects.update_or_create(
            code=f"000.00.{n:02d}.H18",
            defaults=dict(
                name=("UBND phường " if is_ward else "UBND xã ") + name,
                name_en=f"People's Committee of {name} {'ward' if is_ward else 'commune'}",
                level=AgencyLevel.COMMUNE,
                parent=province,
                address=f"{'Phường' if is_ward else 'Xã'} {name}, tỉnh Điện Biên",
                counter_name=f"Bộ phận Một cửa {'phường' if is_ward else 'xã'} {name}",
                counter_hours="Sáng 7:00–11:30, chiều 13:30–17:00 từ thứ Hai đến thứ Sáu",
            ),
        )
    return province
