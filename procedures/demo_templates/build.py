"""Regenerate the demo form templates (small PDFs and one DOCX) shipped in this folder.

Run once when the forms change: ``.venv/bin/python procedures/demo_templates/build.py``.
The layouts follow the official forms (Circular 04/2020/TT-BTP for civil status, Circular
13/2011/TT-BTP for judicial records, Circular 68/2025/TT-BTC for business registration), shortened.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br><u>Độc lập - Tự do - Hạnh phúc</u>"

FORMS: dict[str, tuple[str, str, list[str]]] = {
    "to-khai-dang-ky-khai-sinh": (
        "Mẫu TP/HT-2020-KS.1",
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        [
            "Kính gửi: Ủy ban nhân dân xã/phường",
            "Họ, chữ đệm, tên người yêu cầu",
            "Số định danh cá nhân",
            "Quan hệ với người được khai sinh",
            "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
            "Họ, chữ đệm, tên",
            "Ngày, tháng, năm sinh",
            "Giới tính",
            "Dân tộc",
            "Quốc tịch",
            "Nơi sinh",
            "Quê quán",
            "Họ, chữ đệm, tên người mẹ",
            "Họ, chữ đệm, tên người cha",
        ],
    ),
    "to-khai-dang-ky-ket-hon": (
        "Mẫu TP/HT-2020-KH.1",
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        [
            "Kính gửi: Ủy ban nhân dân xã/phường",
            "Thông tin bên nữ: họ, chữ đệm, tên",
            "Ngày, tháng, năm sinh",
            "Số định danh cá nhân",
            "Nơi cư trú",
            "Kết hôn lần thứ mấy",
            "Thông tin bên nam: họ, chữ đệm, tên",
            "Ngày, tháng, năm sinh",
            "Số định danh cá nhân",
            "Nơi cư trú",
            "Kết hôn lần thứ mấy",
        ],
    ),
    "to-khai-dang-ky-khai-tu": (
        "Mẫu TP/HT-2020-KT.1",
        "TỜ KHAI ĐĂNG KÝ KHAI TỬ",
        [
            "Kính gửi: Ủy ban nhân dân xã/phường",
            "Họ, chữ đệm, tên người yêu cầu",
            "Quan hệ với người đã chết",
            "Họ, chữ đệm, tên người đã chết",
            "Ngày, tháng, năm sinh",
            "Số định danh cá nhân",
            "Đã chết vào lúc ... giờ ... phút, ngày ... tháng ... năm",
            "Nơi chết",
            "Nguyên nhân chết",
        ],
    ),
    "to-khai-ly-lich-tu-phap": (
        "Mẫu số 03/2013/TT-LLTP",
        "TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP",
        [
            "Kính gửi: Sở Tư pháp tỉnh Điện Biên",
            "Họ và tên",
            "Giới tính",
            "Ngày, tháng, năm sinh",
            "Nơi sinh",
            "Quốc tịch",
            "Nơi thường trú",
            "Số định danh cá nhân",
            "Họ tên cha / mẹ / vợ (chồng)",
            "Quá trình cư trú (từ 14 tuổi)",
            "Loại phiếu yêu cầu cấp: Phiếu số 1 / Phiếu số 2",
            "Số lượng phiếu",
        ],
    ),
    "giay-de-nghi-dang-ky-doanh-nghiep": (
        "Phụ lục I-1",
        "GIẤY ĐỀ NGHỊ ĐĂNG KÝ DOANH NGHIỆP TƯ NHÂN",
        [
            "Kính gửi: Phòng Đăng ký kinh doanh - Sở Tài chính tỉnh Điện Biên",
            "Tên doanh nghiệp viết bằng tiếng Việt",
            "Tên doanh nghiệp viết bằng tiếng nước ngoài (nếu có)",
            "Địa chỉ trụ sở chính",
            "Điện thoại, thư điện tử",
            "Ngành, nghề kinh doanh (mã ngành cấp 4)",
            "Vốn đầu tư",
            "Thông tin chủ doanh nghiệp",
            "Thông tin đăng ký thuế",
        ],
    ),
    "don-de-nghi-cap-giay-phep-xay-dung": (
        "Mẫu số 01 Phụ lục II",
        "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
        [
            "Kính gửi: Ủy ban nhân dân xã/phường",
            "Tên chủ đầu tư (chủ hộ)",
            "Số định danh cá nhân",
            "Địa chỉ liên hệ",
            "Địa điểm xây dựng: lô đất số, diện tích",
            "Nội dung đề nghị cấp phép: loại công trình, cấp công trình",
            "Diện tích xây dựng tầng 1",
            "Tổng diện tích sàn",
            "Chiều cao công trình",
            "Số tầng",
            "Dự kiến thời gian hoàn thành công trình",
        ],
    ),
}

DOCX_FORM = (
    "to-khai-xac-nhan-tinh-trang-hon-nhan",
    "Mẫu TP/HT-2020-XNTTHN.1",
    "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    [
        "Kính gửi: Ủy ban nhân dân xã/phường",
        "Họ, chữ đệm, tên người yêu cầu",
        "Số định danh cá nhân",
        "Nơi cư trú",
        "Tình trạng hôn nhân",
        "Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân",
    ],
)


def build_pdf(key: str, code: str, title: str, fields: list[str], out: Path = HERE) -> Path:
    """One blank form. Each line is a two-cell table row, the label on one line and the dotted
    answer space filling the rest: a flex row let WeasyPrint shrink the label to its narrowest
    and wrap it after every word (issue 14 "Layout")."""
    from weasyprint import HTML

    rows = "".join(
        f"<p><span class='label'>{escape(f)}:</span><span class='dots'></span></p>" for f in fields
    )
    html = f"""<html><head><meta charset="utf-8"><style>
      @page {{ size: A4; margin: 18mm; }}
      body {{ font-family: 'Times New Roman', 'Liberation Serif', 'Tinos', serif; font-size: 13pt; }}
      .head {{ text-align: center; font-weight: bold; }} .code {{ text-align: right; font-style: italic; font-size: 10pt; }}
      h1 {{ text-align: center; font-size: 14pt; margin: 10mm 0 6mm; }}
      p {{ display: table; width: 100%; margin: 3mm 0; }}
      .label {{ display: table-cell; width: 1%; white-space: nowrap; padding-right: 2mm; }}
      .dots {{ display: table-cell; border-bottom: 1px dotted #000; }}
      .sign {{ margin-top: 12mm; text-align: right; font-style: italic; }}
    </style></head><body>
      <div class="code">{escape(code)}</div><div class="head">{HEADER}</div>
      <h1>{escape(title)}</h1>{rows}
      <div class="sign">Làm tại: ..........., ngày ... tháng ... năm ......<br><b>Người yêu cầu</b><br>(Ký, ghi rõ họ, chữ đệm, tên)</div>
    </body></html>"""
    target = out / f"{key}.pdf"
    HTML(string=html).write_pdf(target)
    return target


def build_docx(key: str, code: str, title: str, fields: list[str]) -> None:
    """A minimal WordprocessingML document (no python-docx needed)."""

    def para(text: str, bold: bool = False, center: bool = False) -> str:
        ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
        rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = para(code) + para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, True)
    body += para("Độc lập - Tự do - Hạnh phúc", True, True) + para(title, True, True)
    body += "".join(para(f"{f}: " + "." * 60) for f in fields)
    body += para("Người yêu cầu (ký, ghi rõ họ, chữ đệm, tên)", True)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(HERE / f"{key}.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)


if __name__ == "__main__":
    for key, (code, title, fields) in FORMS.items():
        build_pdf(key, code, title, fields)
    build_docx(*DOCX_FORM)
    print("\n".join(sorted(p.name for p in HERE.iterdir() if p.suffix in (".pdf", ".docx"))))
