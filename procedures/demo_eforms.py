"""E-forms of the demo's procedures: each declaration's fields as its official form lays them out.

* 1.001193 birth registration: "Tờ khai đăng ký khai sinh", mẫu TP/HT-2020-KS.1, Thông tư
  04/2020/TT-BTP (its layout as published: người yêu cầu, người được khai sinh, mẹ, cha; see
  docs/eforms.md for whether a later circular replaced it).
* 1.000894 marriage registration: "Tờ khai đăng ký kết hôn", mẫu TP/HT-2020-KH.1, same circular.
* 2.000488 judicial record certificate: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", mẫu số
  03/2013/TT-LLTP (Thông tư 13/2011/TT-BTP as amended by 16/2013/TT-BTP).
* H18-XD-01 construction permit (individual house): "Đơn đề nghị cấp giấy phép xây dựng", mẫu số
  01 Phụ lục II of the decree on construction permits (Nghị định 15/2021/NĐ-CP, now 175/2024/NĐ-CP).
* 1.001612 private enterprise registration: "Giấy đề nghị đăng ký doanh nghiệp tư nhân", Phụ lục I-1.

``prefill`` names a VNeID claim (locked) or ``profile.<field>`` (prefilled only).
"""

from __future__ import annotations

SEX = [["nam", "Nam"], ["nu", "Nữ"]]

BIRTH = {
    "title": "Tờ khai đăng ký khai sinh",
    "legal_form": "Mẫu TP/HT-2020-KS.1 (Thông tư số 04/2020/TT-BTP)",
    "pdf": "birth_registration",
    "document": "Tờ khai đăng ký khai sinh",
    "fields": [
        {
            "name": "requester_name",
            "label": "Họ, chữ đệm, tên người yêu cầu",
            "type": "text",
            "required": True,
            "prefill": "HoVaTen",
            "section": "Người yêu cầu",
        },
        {
            "name": "requester_id",
            "label": "Số định danh cá nhân (CCCD)",
            "type": "citizen_id",
            "required": True,
            "prefill": "SoDinhDanh",
        },
        {
            "name": "requester_dob",
            "label": "Ngày sinh người yêu cầu",
            "type": "date",
            "prefill": "NgayThangNamSinh",
            "not_after_today": True,
        },
        {"name": "requester_address", "label": "Nơi cư trú", "type": "address", "required": True},
        {
            "name": "requester_phone",
            "label": "Số điện thoại",
            "type": "phone",
            "prefill": "profile.phone",
        },
        {
            "name": "relationship",
            "label": "Quan hệ với người được khai sinh",
            "type": "choice",
            "required": True,
            "choices": [
                ["cha", "Cha"],
                ["me", "Mẹ"],
                ["ong_ba", "Ông, bà"],
                ["khac", "Người thân thích khác"],
            ],
        },
        {
            "name": "child_name",
            "label": "Họ, chữ đệm, tên người được khai sinh",
            "type": "text",
            "required": True,
            "section": "Người được khai sinh",
        },
        {
            "name": "child_dob",
            "label": "Ngày, tháng, năm sinh",
            "type": "date",
            "required": True,
            "not_after_today": True,
        },
        {
            "name": "child_sex",
            "label": "Giới tính",
            "type": "choice",
            "required": True,
            "choices": SEX,
        },
        {
            "name": "child_ethnicity",
            "label": "Dân tộc",
            "type": "text",
            "required": True,
            "max_length": 50,
        },
        {
            "name": "child_nationality",
            "label": "Quốc tịch",
            "type": "text",
            "required": True,
            "max_length": 50,
        },
        {
            "name": "birth_place",
            "label": "Nơi sinh",
            "type": "text",
            "required": True,
            "help": "Tên cơ sở y tế, hoặc địa chỉ nơi sinh.",
        },
        {"name": "hometown", "label": "Quê quán", "type": "text"},
        {
            "name": "mother_name",
            "label": "Họ, chữ đệm, tên người mẹ",
            "type": "text",
            "required": True,
            "section": "Người mẹ",
        },
        {
            "name": "mother_birth_year",
            "label": "Năm sinh người mẹ",
            "type": "number",
            "required": True,
            "minimum": 1900,
            "maximum": 2100,
        },
        {"name": "mother_ethnicity", "label": "Dân tộc", "type": "text", "max_length": 50},
        {"name": "mother_nationality", "label": "Quốc tịch", "type": "text", "max_length": 50},
        {"name": "mother_address", "label": "Nơi cư trú của người mẹ", "type": "text"},
        {
            "name": "has_father",
            "label": "Khai thông tin người cha",
            "type": "boolean",
            "section": "Người cha",
        },
        {
            "name": "father_name",
            "label": "Họ, chữ đệm, tên người cha",
            "type": "text",
            "required": True,
            "show_when": {"field": "has_father", "equals": True},
        },
        {
            "name": "father_birth_year",
            "label": "Năm sinh người cha",
            "type": "number",
            "required": True,
            "minimum": 1900,
            "maximum": 2100,
            "show_when": {"field": "has_father", "equals": True},
        },
        {
            "name": "father_ethnicity",
            "label": "Dân tộc",
            "type": "text",
            "max_length": 50,
            "show_when": {"field": "has_father", "equals": True},
        },
        {
            "name": "father_nationality",
            "label": "Quốc tịch",
            "type": "text",
            "max_length": 50,
            "show_when": {"field": "has_father", "equals": True},
        },
        {
            "name": "father_address",
            "label": "Nơi cư trú của người cha",
            "type": "text",
            "show_when": {"field": "has_father", "equals": True},
        },
        {
            "name": "copies",
            "label": "Số bản sao Giấy khai sinh đề nghị cấp",
            "type": "number",
            "minimum": 0,
            "maximum": 10,
            "section": "Đề nghị",
        },
    ],
}

_PARTY = [
    ("name", "Họ, chữ đệm, tên", "text"),
    ("dob", "Ngày, tháng, năm sinh", "date"),
    ("ethnicity", "Dân tộc", "text"),
    ("nationality", "Quốc tịch", "text"),
    ("residence", "Nơi cư trú", "text"),
    ("id_number", "Số định danh cá nhân", "citizen_id"),
    ("marriage_no", "Kết hôn lần thứ mấy", "number"),
]


def _party(prefix: str, section: str, prefill: bool) -> list[dict]:
    out = []
    for i, (key, label, kind) in enumerate(_PARTY):
        f = {
            "name": f"{prefix}_{key}",
            "label": label,
            "type": kind,
            "required": key != "marriage_no",
        }
        if i == 0:
            f["section"] = section
        if kind == "date":
            f["not_after_today"] = True
        if kind == "number":
            f.update(minimum=1, maximum=10)
        if prefill and key in ("name", "dob", "id_number"):
            f["prefill"] = {
                "name": "HoVaTen",
                "dob": "NgayThangNamSinh",
                "id_number": "SoDinhDanh",
            }[key]
        out.append(f)
    return out


MARRIAGE = {
    "title": "Tờ khai đăng ký kết hôn",
    "legal_form": "Mẫu TP/HT-2020-KH.1 (Thông tư số 04/2020/TT-BTP)",
    "document": "Tờ khai đăng ký kết hôn",
    "fields": [
        {
            "name": "requester_role",
            "label": "Người khai là",
            "type": "choice",
            "required": True,
            "choices": [["nu", "Bên nữ"], ["nam", "Bên nam"]],
            "section": "Người yêu cầu",
        },
        *_party("self", "Thông tin người khai", True),
        *_party("partner", "Thông tin bên kia", False),
        {
            "name": "copies",
            "label": "Số bản sao đề nghị cấp",
            "type": "number",
            "minimum": 0,
            "maximum": 10,
            "section": "Đề nghị",
        },
    ],
}

JUDICIAL = {
    "title": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
    "legal_form": "Mẫu số 03/2013/TT-LLTP",
    "document": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
    "fields": [
        {
            "name": "full_name",
            "label": "Họ và tên",
            "type": "text",
            "required": True,
            "prefill": "HoVaTen",
            "section": "Người yêu cầu",
        },
        {"name": "other_names", "label": "Tên gọi khác (nếu có)", "type": "text"},
        {
            "name": "sex",
            "label": "Giới tính",
            "type": "choice",
            "required": True,
            "choices": SEX,
            "prefill": "GioiTinh",
        },
        {
            "name": "dob",
            "label": "Ngày, tháng, năm sinh",
            "type": "date",
            "required": True,
            "prefill": "NgayThangNamSinh",
            "not_after_today": True,
        },
        {"name": "birth_place", "label": "Nơi sinh", "type": "text", "required": True},
        {
            "name": "nationality",
            "label": "Quốc tịch",
            "type": "text",
            "required": True,
            "prefill": "QuocTich",
        },
        {"name": "ethnicity", "label": "Dân tộc", "type": "text", "prefill": "DanToc"},
        {"name": "residence", "label": "Nơi thường trú", "type": "address", "required": True},
        {
            "name": "id_number",
            "label": "Số định danh cá nhân",
            "type": "citizen_id",
            "required": True,
            "prefill": "SoDinhDanh",
        },
        {"name": "phone", "label": "Điện thoại", "type": "phone", "prefill": "profile.phone"},
        {"name": "email", "label": "Thư điện tử", "type": "email", "prefill": "profile.email"},
        {
            "name": "father_name",
            "label": "Họ và tên cha",
            "type": "text",
            "section": "Thông tin gia đình",
        },
        {"name": "mother_name", "label": "Họ và tên mẹ", "type": "text"},
        {"name": "is_married", "label": "Đã kết hôn", "type": "boolean"},
        {
            "name": "spouse_name",
            "label": "Họ và tên vợ/chồng",
            "type": "text",
            "required": True,
            "show_when": {"field": "is_married", "equals": True},
        },
        {
            "name": "history",
            "label": "Quá trình cư trú, nghề nghiệp (từ đủ 14 tuổi)",
            "type": "group",
            "min": 1,
            "max": 15,
            "section": "Quá trình cư trú",
            "fields": [
                {
                    "name": "period",
                    "label": "Từ tháng, năm đến tháng, năm",
                    "type": "text",
                    "required": True,
                },
                {"name": "place", "label": "Nơi cư trú", "type": "text", "required": True},
                {"name": "job", "label": "Nghề nghiệp, nơi làm việc", "type": "text"},
            ],
        },
        {
            "name": "record_type",
            "label": "Loại phiếu yêu cầu",
            "type": "choice",
            "required": True,
            "choices": [["1", "Phiếu lý lịch tư pháp số 1"], ["2", "Phiếu lý lịch tư pháp số 2"]],
            "section": "Yêu cầu",
        },
        {"name": "purpose", "label": "Mục đích sử dụng Phiếu", "type": "text", "required": True},
        {
            "name": "copies",
            "label": "Số lượng Phiếu yêu cầu cấp",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 10,
        },
    ],
}

CONSTRUCTION = {
    "title": "Đơn đề nghị cấp giấy phép xây dựng",
    "legal_form": "Mẫu số 01 Phụ lục II (Nghị định về cấp giấy phép xây dựng)",
    "document": "Đơn đề nghị cấp giấy phép xây dựng",
    "fields": [
        {
            "name": "owner_name",
            "label": "Tên chủ đầu tư (chủ hộ)",
            "type": "text",
            "required": True,
            "prefill": "HoVaTen",
            "section": "Thông tin chủ đầu tư",
        },
        {
            "name": "owner_id",
            "label": "Số định danh cá nhân",
            "type": "citizen_id",
            "required": True,
            "prefill": "SoDinhDanh",
        },
        {
            "name": "owner_phone",
            "label": "Số điện thoại",
            "type": "phone",
            "required": True,
            "prefill": "profile.phone",
        },
        {"name": "owner_address", "label": "Địa chỉ liên hệ", "type": "address", "required": True},
        {
            "name": "site",
            "label": "Địa điểm xây dựng",
            "type": "address",
            "required": True,
            "section": "Địa điểm xây dựng",
        },
        {"name": "lot_number", "label": "Lô đất / thửa đất số", "type": "text", "required": True},
        {"name": "map_sheet", "label": "Tờ bản đồ số", "type": "text", "required": True},
        {
            "name": "land_area",
            "label": "Diện tích thửa đất (m²)",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 100000,
        },
        {
            "name": "building_area",
            "label": "Diện tích xây dựng tầng 1 (m²)",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 100000,
            "section": "Nội dung đề nghị",
        },
        {
            "name": "total_floor_area",
            "label": "Tổng diện tích sàn (m²)",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 1000000,
        },
        {
            "name": "floors",
            "label": "Số tầng",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 7,
        },
        {
            "name": "height",
            "label": "Chiều cao công trình (m)",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 50,
        },
        {"name": "has_basement", "label": "Có tầng hầm", "type": "boolean"},
        {
            "name": "basement_area",
            "label": "Diện tích tầng hầm (m²)",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 100000,
            "show_when": {"field": "has_basement", "equals": True},
        },
        {
            "name": "designer",
            "label": "Đơn vị hoặc người thiết kế",
            "type": "text",
            "required": True,
        },
        {"name": "start_date", "label": "Dự kiến khởi công", "type": "date", "required": True},
        {
            "name": "duration_months",
            "label": "Thời gian hoàn thành (tháng)",
            "type": "number",
            "required": True,
            "minimum": 1,
            "maximum": 60,
        },
    ],
}

BUSINESS = {
    "title": "Giấy đề nghị đăng ký doanh nghiệp tư nhân",
    "legal_form": "Phụ lục I-1",
    "document": "Giấy đề nghị đăng ký doanh nghiệp tư nhân",
    "fields": [
        {
            "name": "company_name",
            "label": "Tên doanh nghiệp viết bằng tiếng Việt",
            "type": "text",
            "required": True,
            "section": "Tên doanh nghiệp",
        },
        {
            "name": "company_name_foreign",
            "label": "Tên doanh nghiệp viết bằng tiếng nước ngoài",
            "type": "text",
        },
        {"name": "company_short_name", "label": "Tên doanh nghiệp viết tắt", "type": "text"},
        {
            "name": "head_office",
            "label": "Địa chỉ trụ sở chính",
            "type": "address",
            "required": True,
            "section": "Trụ sở chính",
        },
        {
            "name": "company_phone",
            "label": "Điện thoại",
            "type": "phone",
            "required": True,
            "prefill": "profile.phone",
        },
        {
            "name": "company_email",
            "label": "Thư điện tử",
            "type": "email",
            "prefill": "profile.email",
        },
        {
            "name": "lines",
            "label": "Ngành, nghề kinh doanh",
            "type": "group",
            "min": 1,
            "max": 20,
            "section": "Ngành, nghề kinh doanh",
            "fields": [
                {
                    "name": "code",
                    "label": "Mã ngành (cấp 4)",
                    "type": "text",
                    "required": True,
                    "max_length": 4,
                },
                {"name": "name", "label": "Tên ngành", "type": "text", "required": True},
                {"name": "main", "label": "Ngành chính", "type": "boolean"},
            ],
        },
        {
            "name": "capital",
            "label": "Vốn đầu tư (đồng)",
            "type": "number",
            "required": True,
            "minimum": 1,
            "section": "Vốn đầu tư",
        },
        {
            "name": "owner_name",
            "label": "Họ và tên chủ doanh nghiệp",
            "type": "text",
            "required": True,
            "prefill": "HoVaTen",
            "section": "Chủ doanh nghiệp tư nhân",
        },
        {
            "name": "owner_sex",
            "label": "Giới tính",
            "type": "choice",
            "required": True,
            "choices": SEX,
            "prefill": "GioiTinh",
        },
        {
            "name": "owner_dob",
            "label": "Sinh ngày",
            "type": "date",
            "required": True,
            "prefill": "NgayThangNamSinh",
            "not_after_today": True,
        },
        {
            "name": "owner_id",
            "label": "Số định danh cá nhân",
            "type": "citizen_id",
            "required": True,
            "prefill": "SoDinhDanh",
        },
        {
            "name": "owner_residence",
            "label": "Địa chỉ thường trú",
            "type": "text",
            "required": True,
            "prefill": "ThuongTru",
        },
    ],
}

EFORMS = {
    "1.001193": BIRTH,
    "1.000894": MARRIAGE,
    "2.000488": JUDICIAL,
    "H18-XD-01": CONSTRUCTION,
    "1.001612": BUSINESS,
}
