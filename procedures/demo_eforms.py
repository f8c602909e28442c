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

The fields are in ``demo_data/eforms/<form>.json``. ``prefill`` names a VNeID claim (locked) or
``profile.<field>`` (prefilled only).
"""

from __future__ import annotations

from .demo_files import load_demo_json

SEX = [["nam", "Nam"], ["nu", "Nữ"]]

BIRTH: dict = load_demo_json("eforms/birth.json")
MARRIAGE: dict = load_demo_json("eforms/marriage.json")
JUDICIAL: dict = load_demo_json("eforms/judicial.json")
CONSTRUCTION: dict = load_demo_json("eforms/construction.json")
BUSINESS: dict = load_demo_json("eforms/business.json")

EFORMS = {
    "1.001193": BIRTH,
    "1.000894": MARRIAGE,
    "2.000488": JUDICIAL,
    "H18-XD-01": CONSTRUCTION,
    "1.001612": BUSINESS,
}
