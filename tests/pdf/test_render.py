"""The PDF base: Vietnamese text extracts intact, a Times-metric font is embedded (Decree 30/2020/NĐ-CP
Phụ lục I, Phần I, mục 2), page numbers top centre from page 2 (mục 7), QR and Code 128."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.pdf.codes import code128_svg, qr_png_data_uri, qr_svg
from portal.pdf.render import render_pdf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def receipt_context(**extra):
    # Decomposed (NFD) input on purpose: the renderer must normalise it.
    applicant = unicodedata.normalize("NFD", "Lò Thị Hương")
    context = {
        "agency_parent": "UBND tỉnh Điện Biên",
        "agency_name": "Trung tâm Phục vụ hành chính công",
        "number": "0042",
        "notation": "TN-TTPVHCC",
        "date": datetime(2026, 6, 9, 9, 15, tzinfo=TZ),
        "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "subtitle": "Mã hồ sơ: 000.00.00.H18-260609-0042",
        "applicant_name": applicant,
        "applicant_address": "Tổ dân phố 5, phường Mường Thanh, thành phố Điện Biên Phủ",
        "applicant_phone": "0912 345 678",
        "procedure_name": "Cấp giấy chứng nhận đăng ký hộ kinh doanh",
        "documents": [
            {"name": "Giấy đề nghị đăng ký hộ kinh doanh", "form": "Bản chính", "count": 1},
            {"name": "Bản sao giấy tờ pháp lý của cá nhân", "form": "Bản sao", "count": 1},
        ],
        "dossier_count": 1,
        "processing_time": "03 ngày làm việc",
        "received_at": datetime(2026, 6, 9, 9, 15, tzinfo=TZ),
        "due_at": datetime(2026, 6, 12, 9, 15, tzinfo=TZ),
        "result_delivery": "Bộ phận Một cửa",
        "book_number": "01/2026",
        "signer_name": "Quàng Văn Đức",
        "qr_url": "https://dichvucong.dienbien.gov.vn/ho-so/tra-cuu/abc123",
        "barcode": "000.00.00.H18-260609-0042",
    }
    context.update(extra)
    return context


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "receipt.pdf"
    path.write_bytes(render_pdf("pdf/forms/01_receipt.html", receipt_context()))
    return path


def top_lines(path) -> list[str]:
    """The first line of text of every page, top to bottom (the page number sits above the heading)."""
    import re

    html = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    firsts = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", html, re.S):
        lines = re.findall(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>',
            page,
            re.S,
        )
        if not lines:
            firsts.append("")
            continue
        x0, y0, x1, body = min(lines, key=lambda t: float(t[1]))
        words = " ".join(re.findall(r">([^<]+)</word>", body))
        # a page number is centred over the text block (A4: 595 pt wide, margins 30 mm / 15 mm)
        centre = (float(x0) + float(x1)) / 2
        firsts.append(words if abs(centre - (85 + (595 - 42.5)) / 2) < 20 else "")
    return firsts


def pdftotext(path, *args) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_vietnamese_text_extracts_with_its_diacritics(sample_pdf):
    text = " ".join(unicodedata.normalize("NFC", pdftotext(sample_pdf)).split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH ĐIỆN BIÊN",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "Số: 0042/TN-TTPVHCC",
        "Điện Biên, ngày 09 tháng 6 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "NGƯỜI TIẾP NHẬN",
        "(Ký, ghi rõ họ tên)",
        "Lò Thị Hương",
        "Quàng Văn Đức",
    ):
        assert expected in text, expected


def test_the_decomposed_input_comes_out_composed(sample_pdf):
    raw = pdftotext(sample_pdf)
    assert unicodedata.normalize("NFD", "Lò Thị Hương") not in raw
    assert "Lò Thị Hương" in raw


def test_a_times_metric_font_is_embedded(sample_pdf):
    """Times New Roman (Decree 30/2020 Phụ lục I, Phần I, mục 2), or Liberation Serif / Tinos, its
    metric-compatible Debian fonts (fonts-liberation / fonts-croscore); never Noto Serif's wider glyphs."""
    fonts = subprocess.run(
        ["pdffonts", str(sample_pdf)], check=True, capture_output=True, text=True
    ).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts
    # WeasyPrint names the subset after the font's PostScript name ("LiberationSerif") or, from
    # version 70, its family ("Liberation-Serif"): compare without the hyphens.
    times = [
        row
        for row in rows
        if any(n in row.replace("-", "") for n in ("TimesNewRoman", "LiberationSerif", "Tinos"))
    ]
    assert times and any("Bold" in row for row in times), fonts
    assert not any("Noto" in row for row in rows), fonts


def test_long_content_numbers_every_page(tmp_path):
    documents = [
        {"name": f"Giấy tờ kèm theo số {i}", "form": "Bản sao", "count": 1} for i in range(80)
    ]
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf("pdf/forms/01_receipt.html", receipt_context(documents=documents)))
    text = pdftotext(path)
    pages = text.count("\f")
    assert pages >= 3
    assert "Trang" not in text  # "Trang x/y" at the bottom was the old layout
    tops = top_lines(path)
    assert tops[0] != "1"  # the first page shows no number (Decree 30/2020 Phụ lục I, mục 7)
    assert tops[1:] == [str(n) for n in range(2, pages + 1)]


def test_qr_and_barcode_helpers():
    url = "https://dichvucong.dienbien.gov.vn/ho-so/tra-cuu/abc123"
    assert qr_svg(url).startswith("<svg") and "path" in qr_svg(url)
    assert qr_png_data_uri(url).startswith("data:image/png;base64,")
    barcode = code128_svg("000.00.00.H18-260609-0042")
    assert barcode.startswith("<svg") and barcode.count("<rect") > 30
    # a different code gives different bars
    assert code128_svg("000.00.00.H18-260609-0043") != barcode


def test_codes_are_drawn_on_the_page(tmp_path):
    with_codes = render_pdf("pdf/forms/01_receipt.html", receipt_context())
    without = render_pdf("pdf/forms/01_receipt.html", receipt_context(qr_url="", barcode=""))
    (tmp_path / "a.pdf").write_bytes(with_codes)
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "a.pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert len(images.splitlines()) > 2  # the QR PNG is an image object
    assert len(with_codes) > len(without)


RECEIPT_COPIES = ["Liên 1: Lưu", "Liên 2: Giao khách hàng"]


def test_receipt_prints_one_copy_per_marker_each_on_one_page_with_its_signatures(tmp_path):
    """Form 01 carries the copy marker "(Liên: Lưu/giao khách hàng)" (TT 01/2018/TT-VPCP mẫu 01 as
    provincial systems print it; TT 03/2025/TT-VPCP Phụ lục I mẫu 01's text not found, see
    docs/regulations.md): one copy kept, one given. Issue 14 "Layout": the signature block spilled
    onto page 2 — with ten documents, an e-mail and a postal address, each copy is one A4 page
    with both signatures, and neither copy shows a page number (each is its own page 1, Decree
    30/2020 Phụ lục I, mục 7)."""
    from portal.pdf.render import render_document

    documents = [
        {
            "name": f"Tờ khai đề nghị cấp Phiếu lý lịch tư pháp ({i})",
            "form": "Bản chính",
            "count": 1,
        }
        for i in range(10)
    ]
    data, pages = render_document(
        "pdf/forms/01_receipt.html",
        receipt_context(
            documents=documents,
            applicant_email="luongthihuong@example.vn",
            result_delivery="Qua dịch vụ bưu chính công ích, địa chỉ: Tổ dân phố 5, phường "
            "Mường Thanh, tỉnh Điện Biên",
            copies=RECEIPT_COPIES,
        ),
    )
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    assert pages == 2
    texts = [" ".join(t.split()) for t in pdftotext(path).split("\f")[:2]]
    for text, marker in zip(texts, RECEIPT_COPIES, strict=True):
        assert f"({marker})" in text
        assert "NGƯỜI NỘP HỒ SƠ" in text and text.rstrip().endswith("Quàng Văn Đức"), text[-200:]
        assert "Tờ khai đề nghị cấp Phiếu lý lịch tư pháp (9)" in text  # the 10th row too
    assert top_lines(path)[1] != "2"  # the second copy is not page 2 of the first


def test_the_tracking_books_code_column_holds_a_full_dossier_code():
    """Form 07 (TT 03/2025/TT-VPCP Phụ lục I mẫu 07), issue 14 "Layout": the code column overflowed
    into the procedure's. A provincial department's code (30 characters) wraps after a hyphen and
    stays inside its cell, on WeasyPrint's own layout boxes."""
    from datetime import date

    from portal.pdf.render import _document
    from tests.pdf.layout_boxes import cells_with_class, overflow

    row = {
        "n": 1,
        "code": "000.00.03.H18-20260609-0000011",
        "procedure": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "count": 1,
        "applicant": "Lò Thị Hương",
        "address": "Tổ dân phố 5, phường Mường Thanh, tỉnh Điện Biên, 0912345600",
        "unit": "Phòng Hành chính tư pháp",
        "received": date(2026, 6, 9),
        "due": date(2026, 6, 16),
        "note": "",
    }
    document = _document(
        "pdf/forms/07_book.html",
        {
            "title": "Sổ theo dõi hồ sơ",
            "agency_name": "Sở Tư pháp",
            "internal": True,
            "period_start": date(2026, 6, 1),
            "period_end": date(2026, 6, 30),
            "total": 3,
            "parts": [[row, {**row, "n": 2}, {**row, "n": 3}]],
        },
    )
    cells = cells_with_class(document, "code")
    assert len(cells) == 3
    assert all(overflow(cell) <= 0.5 for _page, cell in cells), [overflow(c) for _p, c in cells]
    lines = [cell_lines(cell) for _page, cell in cells]
    # whole, wrapped only after a hyphen
    assert "".join(lines[0]) == row["code"] and all(x.endswith("-") for x in lines[0][:-1])
    assert len(lines[0]) > 1


def cell_lines(cell) -> list[str]:
    from tests.pdf.layout_boxes import boxes

    return [
        "".join(t.text for t in boxes(line) if type(t).__name__ == "TextBox").replace("\u200b", "")
        for line in boxes(cell)
        if type(line).__name__ == "LineBox"
    ]


def test_the_procedures_downloadable_forms_keep_each_label_on_one_line(tmp_path):
    """Issue 14 "Layout": the procedure's downloadable form wrapped every label after one word
    (a flex row shrank the label to its narrowest). The shipped blank forms, and the builder's
    output, have each label whole on one line with its answer space."""
    from procedures.demo_templates import build

    for key, (_code, _title, fields) in build.FORMS.items():
        for path in (
            build.HERE / f"{key}.pdf",
            build.build_pdf(key, _code, _title, fields, tmp_path),
        ):
            lines = [" ".join(line.split()) for line in pdftotext(path, "-layout").splitlines()]
            for label in fields:
                assert any(line.startswith(f"{label}:") for line in lines), (path.name, label)


def test_the_dashboard_report_keeps_rows_whole_and_every_column_on_the_page(tmp_path):
    """Issue 14 "Layout": the dashboard's PDF report clipped its last column and split rows across
    pages. Sixty agencies with seven-digit figures: no row split, no figure past its cell, the
    header row (with the last column's) repeated on every page, numbered from page 2 (Decree
    30/2020 Phụ lục I, mục 7)."""
    from datetime import date

    from dashboards.exports import Table
    from portal.pdf.render import _document
    from tests.pdf.layout_boxes import all_cells, overflow, split_rows

    names = [
        "Ủy ban nhân dân xã Mường Chà Tây",
        "Sở Nông nghiệp và Môi trường",
        "Trung tâm Phục vụ hành chính công tỉnh Điện Biên",
    ]
    header = [
        "Cơ quan",
        "Tiếp nhận",
        "Tiếp nhận trực tuyến",
        "Đã giải quyết",
        "Giải quyết quá hạn",
        "Đang giải quyết, quá hạn",
        "Tỷ lệ đúng hạn (%)",
        "Tỷ lệ trực tuyến (%)",
    ]
    rows = [
        [
            f"{names[i % 3]} ({i})",
            "1.234.567",
            "987.654",
            "1.200.000",
            "43.210",
            "12.345",
            "100,0",
            "99,9",
        ]
        for i in range(60)
    ]
    document = _document(
        "dashboards/report_pdf.html",
        {
            "title": "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
            "subtitle": "Toàn tỉnh — 01/06/2026 – 30/06/2026",
            "agency_name": "Trung tâm Phục vụ hành chính công",
            "agency_parent": "UBND tỉnh Điện Biên",
            "date": date(2026, 6, 9),
            "tables": [Table("Theo cơ quan", header, rows)],
            "kpis": [],
            "previous_period": "01/05/2026 – 31/05/2026",
        },
    )
    assert len(document.pages) >= 2
    assert split_rows(document) == 0
    assert max(overflow(cell) for _page, cell in all_cells(document)) <= 0.5
    from tests.pdf.layout_boxes import boxes

    for page in document.pages:  # the header row, with the last column's, on every page
        heads = [
            b
            for b in boxes(page._page_box)
            if type(b).__name__ == "TableRowGroupBox" and b.is_header
        ]
        texts = ["".join(t.text for t in boxes(h) if type(t).__name__ == "TextBox") for h in heads]
        has_rows = any(  # a row of the agencies' table (not the heading's or the signatures')
            type(b).__name__ == "TableRowGroupBox"
            and not b.is_header
            and any(len(row.children) == len(header) for row in b.children)
            for b in boxes(page._page_box)
        )
        assert not has_rows or any("Tỷlệtrựctuyến(%)" in t.replace(" ", "") for t in texts), texts
    path = tmp_path / "report.pdf"
    path.write_bytes(document.write_pdf())
    assert pdftotext(path).count("99,9") == 60  # every row's last cell
