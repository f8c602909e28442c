"""Demo catalogue: real procedures of the one-stop shops of a province, after the 2025 reforms.

Names, results and legal bases follow the National Database on Administrative Procedures
(csdl.dichvucong.gov.vn). National codes are given where we had them at hand; the others carry a
provincial placeholder ``H18-<sector>-<nn>`` to be replaced when the catalogue is synchronised with
the national database. Fees are the national or Điện Biên figures in force when written (VND).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from portal.agencies.constants import AgencyLevel
from portal.agencies.models import Agency

from .constants import FeeKind, PaperKind, PublicationState, ServiceLevel, StepRole, TimeUnit
from .demo_eforms import EFORMS
from .fees import guess_kind
from .models import Procedure, ProcedureFee, ProcedureStep, RequiredDocument, Sector
from .services import procedure_current_version, procedure_publish

TEMPLATES_DIR = Path(__file__).resolve().parent / "demo_templates"

SECTORS = [
    # code, name, English name
    ("HT", "Hộ tịch", "Civil status"),
    ("CT", "Chứng thực", "Certification"),
    ("LLTP", "Lý lịch tư pháp", "Judicial records"),
    ("DKKD", "Đăng ký kinh doanh", "Business registration"),
    ("DD", "Đất đai", "Land"),
    ("XD", "Xây dựng", "Construction"),
    ("GTVT", "Giao thông vận tải", "Road transport"),
    ("YT", "Y tế - Dược", "Health and pharmacy"),
    ("GD", "Giáo dục và Đào tạo", "Education and training"),
    ("LD", "Lao động - Việc làm", "Labour and employment"),
    ("VH", "Văn hóa - Du lịch", "Culture and tourism"),
    ("BTXH", "Bảo trợ xã hội", "Social protection"),
]

O, C, CC, OC = (  # noqa: E741 - the paper kinds' initials, as the catalogue tables read them
    PaperKind.ORIGINAL,
    PaperKind.COPY,
    PaperKind.CERTIFIED_COPY,
    PaperKind.ORIGINAL_OR_COPY,
)
WD, WH, CD = TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.CALENDAR_DAYS
ID_CARD = ("Thẻ căn cước / Căn cước công dân của người yêu cầu (xuất trình)", O, 1, True, None)

HT_LAW = "Luật Hộ tịch số 60/2014/QH13; Nghị định số 123/2015/NĐ-CP; Thông tư số 04/2020/TT-BTP; Nghị định 118/2025/NĐ-CP."
CT_LAW = "Nghị định số 23/2015/NĐ-CP về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký và hợp đồng, giao dịch; Thông tư số 01/2020/TT-BTP; Thông tư số 226/2016/TT-BTC."
DKKD_LAW = "Luật Doanh nghiệp số 59/2020/QH14 (sửa đổi 2025); Nghị định số 168/2025/NĐ-CP về đăng ký doanh nghiệp; Thông tư số 68/2025/TT-BTC."
DD_LAW = "Luật Đất đai số 31/2024/QH15; Nghị định số 101/2024/NĐ-CP; Nghị định số 151/2025/NĐ-CP."
XD_LAW = "Luật Xây dựng số 50/2014/QH13 (sửa đổi 2020); Nghị định số 175/2024/NĐ-CP."

# code, name, sector, level, time, unit, where ("commune" or a department number), fees, documents, result, legal basis
PROCEDURES: list[tuple] = [
    (
        "1.001193",
        "Đăng ký khai sinh",
        "HT",
        4,
        "1",
        WD,
        "commune",
        [("Lệ phí đăng ký khai sinh", 0, "Miễn lệ phí khi đăng ký đúng hạn")],
        [
            (
                "Tờ khai đăng ký khai sinh",
                O,
                1,
                True,
                "to-khai-dang-ky-khai-sinh.pdf|Tờ khai đăng ký khai sinh (mẫu TP/HT-2020-KS.1)",
            ),
            ("Giấy chứng sinh hoặc văn bản của người làm chứng", O, 1, True, None),
            ID_CARD,
        ],
        "Giấy khai sinh (bản chính) và bản sao Giấy khai sinh nếu có yêu cầu",
        HT_LAW,
    ),
    (
        "1.000894",
        "Đăng ký kết hôn",
        "HT",
        3,
        "1",
        WD,
        "commune",
        [("Lệ phí đăng ký kết hôn", 0, "Miễn lệ phí")],
        [
            (
                "Tờ khai đăng ký kết hôn",
                O,
                1,
                True,
                "to-khai-dang-ky-ket-hon.pdf|Tờ khai đăng ký kết hôn (mẫu TP/HT-2020-KH.1)",
            ),
            (
                "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký tại nơi không thường trú)",
                O,
                1,
                False,
                None,
            ),
            ID_CARD,
        ],
        "Giấy chứng nhận kết hôn (02 bản chính)",
        HT_LAW,
    ),
    (
        "1.000656",
        "Đăng ký khai tử",
        "HT",
        4,
        "1",
        WD,
        "commune",
        [("Lệ phí đăng ký khai tử", 0, "Miễn lệ phí khi đăng ký đúng hạn")],
        [
            (
                "Tờ khai đăng ký khai tử",
                O,
                1,
                True,
                "to-khai-dang-ky-khai-tu.pdf|Tờ khai đăng ký khai tử (mẫu TP/HT-2020-KT.1)",
            ),
            ("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử", O, 1, True, None),
        ],
        "Trích lục khai tử (bản chính)",
        HT_LAW,
    ),
    (
        "1.004873",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "HT",
        4,
        "3",
        WD,
        "commune",
        [("Lệ phí", 3000, "Mỗi giấy xác nhận")],
        [
            (
                "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                O,
                1,
                True,
                "to-khai-xac-nhan-tinh-trang-hon-nhan.docx|Tờ khai (mẫu TP/HT-2020-XNTTHN.1)",
            ),
            (
                "Bản án, quyết định ly hôn hoặc trích lục khai tử của vợ/chồng (nếu có)",
                CC,
                1,
                False,
                None,
            ),
        ],
        "Giấy xác nhận tình trạng hôn nhân",
        HT_LAW,
    ),
    (
        "1.001022",
        "Đăng ký nhận cha, mẹ, con",
        "HT",
        3,
        "3",
        WD,
        "commune",
        [("Lệ phí", 15000, "Mỗi trường hợp")],
        [
            ("Tờ khai đăng ký nhận cha, mẹ, con", O, 1, True, None),
            (
                "Chứng cứ chứng minh quan hệ cha, mẹ, con (văn bản giám định ADN...)",
                OC,
                1,
                True,
                None,
            ),
        ],
        "Trích lục đăng ký nhận cha, mẹ, con",
        HT_LAW,
    ),
    (
        "H18-HT-01",
        "Đăng ký lại khai sinh",
        "HT",
        3,
        "5",
        WD,
        "commune",
        [("Lệ phí", 8000, "Mỗi trường hợp")],
        [
            ("Tờ khai đăng ký lại khai sinh", O, 1, True, None),
            ("Bản sao Giấy khai sinh cũ hoặc giấy tờ có thông tin khai sinh", C, 1, True, None),
        ],
        "Giấy khai sinh (đăng ký lại)",
        HT_LAW,
    ),
    (
        "H18-HT-02",
        "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "HT",
        3,
        "3",
        WD,
        "commune",
        [("Lệ phí", 15000, "Mỗi trường hợp")],
        [
            ("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", O, 1, True, None),
            ("Giấy tờ làm căn cứ cải chính", CC, 1, True, None),
        ],
        "Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch",
        HT_LAW,
    ),
    (
        "H18-HT-03",
        "Cấp bản sao trích lục hộ tịch",
        "HT",
        4,
        "8",
        WH,
        "commune",
        [("Phí cấp bản sao trích lục", 8000, "Mỗi bản sao")],
        [("Tờ khai cấp bản sao trích lục hộ tịch", O, 1, True, None)],
        "Bản sao trích lục hộ tịch",
        HT_LAW,
    ),
    (
        "H18-HT-04",
        "Đăng ký giám hộ",
        "HT",
        3,
        "3",
        WD,
        "commune",
        [("Lệ phí", 0, "Miễn lệ phí")],
        [
            ("Tờ khai đăng ký giám hộ", O, 1, True, None),
            ("Văn bản cử người giám hộ", O, 1, True, None),
        ],
        "Trích lục đăng ký giám hộ",
        HT_LAW,
    ),
    (
        "2.000908",
        "Cấp bản sao từ sổ gốc",
        "CT",
        2,
        "1",
        WD,
        "commune",
        [("Phí cấp bản sao từ sổ gốc", 8000, "Mỗi bản sao")],
        [("Yêu cầu cấp bản sao (bằng văn bản hoặc lời nói)", O, 1, True, None), ID_CARD],
        "Bản sao từ sổ gốc",
        CT_LAW,
    ),
    (
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        "CT",
        2,
        "1",
        WD,
        "commune",
        [
            (
                "Phí chứng thực bản sao",
                2000,
                "Mỗi trang; từ trang thứ ba 1.000 đ/trang, tối đa 200.000 đ/bản",
            )
        ],
        [
            ("Bản chính giấy tờ, văn bản cần chứng thực", O, 1, True, None),
            ("Bản sao cần chứng thực", C, 1, True, None),
        ],
        "Bản sao được chứng thực từ bản chính",
        CT_LAW,
    ),
    (
        "2.000884",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "CT",
        2,
        "1",
        WD,
        "commune",
        [("Phí chứng thực chữ ký", 10000, "Mỗi trường hợp")],
        [("Giấy tờ, văn bản cần chứng thực chữ ký", O, 1, True, None), ID_CARD],
        "Giấy tờ, văn bản được chứng thực chữ ký",
        CT_LAW,
    ),
    (
        "H18-CT-01",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "CT",
        2,
        "2",
        WD,
        "commune",
        [("Phí chứng thực hợp đồng", 50000, "Mỗi hợp đồng")],
        [
            ("Dự thảo hợp đồng, giao dịch", O, 1, True, None),
            ("Giấy tờ chứng minh quyền sở hữu tài sản", CC, 1, True, None),
            ID_CARD,
        ],
        "Hợp đồng, giao dịch được chứng thực",
        CT_LAW,
    ),
    (
        "H18-CT-02",
        "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
        "CT",
        2,
        "2",
        WD,
        "commune",
        [("Phí", 30000, "Mỗi hợp đồng")],
        [
            ("Văn bản sửa đổi, bổ sung, hủy bỏ hợp đồng", O, 1, True, None),
            ("Hợp đồng, giao dịch đã được chứng thực", O, 1, True, None),
        ],
        "Văn bản sửa đổi, bổ sung, hủy bỏ được chứng thực",
        CT_LAW,
    ),
    (
        "2.000488",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        "LLTP",
        4,
        "10",
        WD,
        "03",
        [
            ("Phí cấp Phiếu lý lịch tư pháp", 200000, "Mỗi lần yêu cầu"),
            (
                "Phí cấp Phiếu lý lịch tư pháp (giảm)",
                100000,
                "Sinh viên, người có công với cách mạng, thân nhân liệt sĩ",
            ),
            ("Phí cấp từ phiếu thứ 3 trở đi", 5000, "Mỗi phiếu tăng thêm"),
        ],
        [
            (
                "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                O,
                1,
                True,
                "to-khai-ly-lich-tu-phap.pdf|Tờ khai (mẫu số 03/2013/TT-LLTP)",
            ),
            ID_CARD,
        ],
        "Phiếu lý lịch tư pháp số 1 hoặc số 2",
        "Luật Lý lịch tư pháp số 28/2009/QH12; Nghị định số 111/2010/NĐ-CP; Thông tư số 244/2016/TT-BTC.",
    ),
    (
        "H18-LLTP-01",
        "Cấp Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng",
        "LLTP",
        2,
        "10",
        WD,
        "03",
        [],
        [
            (
                "Văn bản yêu cầu cấp Phiếu lý lịch tư pháp của cơ quan tiến hành tố tụng",
                O,
                1,
                True,
                None,
            )
        ],
        "Phiếu lý lịch tư pháp số 2",
        "Luật Lý lịch tư pháp số 28/2009/QH12; Nghị định số 111/2010/NĐ-CP.",
    ),
    (
        "1.001612",
        "Đăng ký thành lập doanh nghiệp tư nhân",
        "DKKD",
        4,
        "3",
        WD,
        "04",
        [
            (
                "Lệ phí đăng ký doanh nghiệp",
                50000,
                "Nộp hồ sơ trực tiếp (nộp trực tuyến được miễn)",
            ),
            ("Phí công bố nội dung đăng ký doanh nghiệp", 100000, "Mỗi lần công bố"),
        ],
        [
            (
                "Giấy đề nghị đăng ký doanh nghiệp tư nhân",
                O,
                1,
                True,
                "giay-de-nghi-dang-ky-doanh-nghiep.pdf|Giấy đề nghị (Phụ lục I-1)",
            ),
            ("Bản sao giấy tờ pháp lý của chủ doanh nghiệp tư nhân", C, 1, True, None),
        ],
        "Giấy chứng nhận đăng ký doanh nghiệp",
        DKKD_LAW,
    ),
    (
        "H18-DKKD-01",
        "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
        "DKKD",
        4,
        "3",
        WD,
        "04",
        [
            ("Lệ phí đăng ký doanh nghiệp", 50000, "Nộp trực tiếp"),
            ("Phí công bố nội dung đăng ký doanh nghiệp", 100000, "Mỗi lần công bố"),
        ],
        [
            ("Giấy đề nghị đăng ký doanh nghiệp", O, 1, True, None),
            ("Điều lệ công ty", O, 1, True, None),
            ("Bản sao giấy tờ pháp lý của chủ sở hữu", C, 1, True, None),
        ],
        "Giấy chứng nhận đăng ký doanh nghiệp",
        DKKD_LAW,
    ),
    (
        "H18-DKKD-02",
        "Đăng ký thành lập công ty cổ phần",
        "DKKD",
        4,
        "3",
        WD,
        "04",
        [
            ("Lệ phí đăng ký doanh nghiệp", 50000, "Nộp trực tiếp"),
            ("Phí công bố nội dung đăng ký doanh nghiệp", 100000, "Mỗi lần công bố"),
        ],
        [
            ("Giấy đề nghị đăng ký doanh nghiệp", O, 1, True, None),
            ("Điều lệ công ty", O, 1, True, None),
            ("Danh sách cổ đông sáng lập", O, 1, True, None),
        ],
        "Giấy chứng nhận đăng ký doanh nghiệp",
        DKKD_LAW,
    ),
    (
        "H18-DKKD-03",
        "Đăng ký thay đổi địa chỉ trụ sở chính của doanh nghiệp",
        "DKKD",
        4,
        "3",
        WD,
        "04",
        [("Lệ phí", 50000, "Nộp trực tiếp")],
        [
            ("Thông báo thay đổi nội dung đăng ký doanh nghiệp", O, 1, True, None),
            ("Nghị quyết, quyết định về việc thay đổi", O, 1, True, None),
        ],
        "Giấy chứng nhận đăng ký doanh nghiệp (cập nhật)",
        DKKD_LAW,
    ),
    (
        "H18-DKKD-04",
        "Đăng ký thành lập hộ kinh doanh",
        "DKKD",
        4,
        "3",
        WD,
        "commune",
        [("Lệ phí đăng ký hộ kinh doanh", 100000, "Mỗi lần đăng ký")],
        [("Giấy đề nghị đăng ký hộ kinh doanh", O, 1, True, None), ID_CARD],
        "Giấy chứng nhận đăng ký hộ kinh doanh",
        DKKD_LAW,
    ),
    (
        "H18-DKKD-05",
        "Đăng ký tạm ngừng kinh doanh",
        "DKKD",
        4,
        "3",
        WD,
        "04",
        [],
        [("Thông báo tạm ngừng kinh doanh", O, 1, True, None)],
        "Giấy xác nhận về việc doanh nghiệp đăng ký tạm ngừng kinh doanh",
        DKKD_LAW,
    ),
    (
        "H18-DD-01",
        "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận lần đầu",
        "DD",
        3,
        "20",
        WD,
        "commune",
        [
            ("Lệ phí cấp Giấy chứng nhận", 100000, "Hộ gia đình, cá nhân"),
            ("Phí thẩm định hồ sơ", 500000, "Tùy diện tích thửa đất"),
        ],
        [
            ("Đơn đăng ký đất đai, tài sản gắn liền với đất (mẫu 04/ĐK)", O, 1, True, None),
            ("Giấy tờ về quyền sử dụng đất", CC, 1, True, None),
            ("Mảnh trích đo bản đồ địa chính", O, 1, False, None),
        ],
        "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        DD_LAW,
    ),
    (
        "H18-DD-02",
        "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "DD",
        3,
        "7",
        WD,
        "06",
        [("Lệ phí", 50000, "Mỗi giấy chứng nhận")],
        [
            ("Đơn đăng ký biến động đất đai (mẫu 11/ĐK)", O, 1, True, None),
            ("Bản gốc Giấy chứng nhận đã cấp", O, 1, True, None),
        ],
        "Giấy chứng nhận mới",
        DD_LAW,
    ),
    (
        "H18-DD-03",
        "Đăng ký biến động quyền sử dụng đất do chuyển nhượng, tặng cho, thừa kế",
        "DD",
        3,
        "10",
        WD,
        "06",
        [
            ("Lệ phí trước bạ", 0, "0,5% giá trị theo bảng giá đất"),
            ("Lệ phí đăng ký biến động", 30000, "Mỗi hồ sơ"),
        ],
        [
            ("Đơn đăng ký biến động đất đai", O, 1, True, None),
            ("Hợp đồng chuyển nhượng, tặng cho đã công chứng", O, 1, True, None),
            ("Bản gốc Giấy chứng nhận đã cấp", O, 1, True, None),
        ],
        "Giấy chứng nhận đã chỉnh lý hoặc cấp mới",
        DD_LAW,
    ),
    (
        "H18-DD-04",
        "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền",
        "DD",
        2,
        "15",
        WD,
        "commune",
        [],
        [
            ("Đơn xin chuyển mục đích sử dụng đất", O, 1, True, None),
            ("Giấy chứng nhận quyền sử dụng đất", O, 1, True, None),
        ],
        "Quyết định cho phép chuyển mục đích sử dụng đất",
        DD_LAW,
    ),
    (
        "H18-DD-05",
        "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
        "DD",
        4,
        "3",
        WD,
        "06",
        [("Phí đăng ký thế chấp", 80000, "Mỗi hồ sơ")],
        [
            ("Phiếu yêu cầu đăng ký thế chấp", O, 1, True, None),
            ("Hợp đồng thế chấp", OC, 1, True, None),
        ],
        "Giấy chứng nhận được ghi nội dung đăng ký thế chấp",
        DD_LAW + " Nghị định số 99/2022/NĐ-CP.",
    ),
    (
        "H18-XD-01",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "XD",
        3,
        "15",
        WD,
        "commune",
        [("Lệ phí cấp giấy phép xây dựng", 75000, "Nhà ở riêng lẻ")],
        [
            (
                "Đơn đề nghị cấp giấy phép xây dựng",
                O,
                1,
                True,
                "don-de-nghi-cap-giay-phep-xay-dung.pdf|Đơn đề nghị (mẫu số 01 Phụ lục II)",
            ),
            ("Giấy tờ chứng minh quyền sử dụng đất", CC, 1, True, None),
            ("02 bộ bản vẽ thiết kế xây dựng", O, 2, True, None),
        ],
        "Giấy phép xây dựng",
        XD_LAW,
    ),
    (
        "H18-XD-02",
        "Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV",
        "XD",
        3,
        "20",
        WD,
        "07",
        [("Lệ phí cấp giấy phép xây dựng", 150000, "Công trình khác")],
        [
            ("Đơn đề nghị cấp giấy phép xây dựng", O, 1, True, None),
            ("Quyết định phê duyệt dự án", CC, 1, True, None),
            ("Bản vẽ thiết kế xây dựng", O, 2, True, None),
        ],
        "Giấy phép xây dựng",
        XD_LAW,
    ),
    (
        "H18-XD-03",
        "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III",
        "XD",
        4,
        "20",
        WD,
        "07",
        [("Lệ phí cấp chứng chỉ hành nghề", 300000, "Mỗi chứng chỉ")],
        [
            ("Đơn đề nghị cấp chứng chỉ hành nghề", O, 1, True, None),
            ("Văn bằng được đào tạo", CC, 1, True, None),
            ("Ảnh màu cỡ 4x6 cm", O, 2, True, None),
        ],
        "Chứng chỉ hành nghề hoạt động xây dựng",
        XD_LAW,
    ),
    (
        "H18-GTVT-01",
        "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
        "GTVT",
        4,
        "5",
        WD,
        "07",
        [("Lệ phí cấp đổi giấy phép lái xe", 135000, "Mỗi giấy phép (nộp trực tuyến 115.000 đ)")],
        [
            ("Đơn đề nghị đổi giấy phép lái xe", O, 1, True, None),
            ("Giấy khám sức khỏe của người lái xe", O, 1, True, None),
            ("Giấy phép lái xe cũ", C, 1, True, None),
        ],
        "Giấy phép lái xe (thẻ PET)",
        "Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15; Thông tư số 35/2024/TT-BGTVT.",
    ),
    (
        "H18-GTVT-02",
        "Cấp phù hiệu xe ô tô kinh doanh vận tải",
        "GTVT",
        4,
        "2",
        WD,
        "07",
        [],
        [
            ("Giấy đề nghị cấp phù hiệu", O, 1, True, None),
            ("Giấy đăng ký xe ô tô", C, 1, True, None),
        ],
        "Phù hiệu xe",
        "Nghị định số 158/2024/NĐ-CP.",
    ),
    (
        "H18-GTVT-03",
        "Cấp Giấy phép kinh doanh vận tải bằng xe ô tô",
        "GTVT",
        4,
        "5",
        WD,
        "07",
        [("Lệ phí cấp giấy phép kinh doanh", 200000, "Mỗi giấy phép")],
        [
            ("Giấy đề nghị cấp Giấy phép kinh doanh", O, 1, True, None),
            ("Phương án kinh doanh vận tải", O, 1, True, None),
        ],
        "Giấy phép kinh doanh vận tải bằng xe ô tô",
        "Nghị định số 158/2024/NĐ-CP.",
    ),
    (
        "H18-YT-01",
        "Cấp Chứng chỉ hành nghề dược",
        "YT",
        3,
        "20",
        WD,
        "08",
        [("Phí thẩm định", 500000, "Mỗi hồ sơ")],
        [
            ("Đơn đề nghị cấp Chứng chỉ hành nghề dược", O, 1, True, None),
            ("Văn bằng chuyên môn", CC, 1, True, None),
            ("Giấy xác nhận thời gian thực hành", O, 1, True, None),
        ],
        "Chứng chỉ hành nghề dược",
        "Luật Dược số 105/2016/QH13 (sửa đổi 2024); Nghị định số 54/2017/NĐ-CP.",
    ),
    (
        "H18-YT-02",
        "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược đối với nhà thuốc",
        "YT",
        3,
        "20",
        WD,
        "08",
        [("Phí thẩm định", 1000000, "Mỗi cơ sở")],
        [
            ("Đơn đề nghị cấp Giấy chứng nhận đủ điều kiện kinh doanh dược", O, 1, True, None),
            ("Tài liệu kỹ thuật về địa điểm, trang thiết bị", O, 1, True, None),
        ],
        "Giấy chứng nhận đủ điều kiện kinh doanh dược",
        "Luật Dược số 105/2016/QH13; Nghị định số 54/2017/NĐ-CP.",
    ),
    (
        "H18-YT-03",
        "Cấp giấy phép hoạt động đối với phòng khám đa khoa",
        "YT",
        3,
        "45",
        CD,
        "08",
        [("Phí thẩm định", 5700000, "Mỗi cơ sở")],
        [
            ("Đơn đề nghị cấp giấy phép hoạt động", O, 1, True, None),
            ("Danh sách người hành nghề", O, 1, True, None),
        ],
        "Giấy phép hoạt động khám bệnh, chữa bệnh",
        "Luật Khám bệnh, chữa bệnh số 15/2023/QH15; Nghị định số 96/2023/NĐ-CP.",
    ),
    (
        "H18-GD-01",
        "Phúc khảo bài thi tốt nghiệp trung học phổ thông",
        "GD",
        3,
        "10",
        CD,
        "09",
        [],
        [("Đơn đề nghị phúc khảo bài thi", O, 1, True, None)],
        "Thông báo kết quả phúc khảo",
        "Thông tư số 24/2024/TT-BGDĐT ban hành Quy chế thi tốt nghiệp THPT.",
    ),
    (
        "H18-GD-02",
        "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "GD",
        4,
        "1",
        WD,
        "09",
        [("Phí cấp bản sao", 3000, "Mỗi bản sao")],
        [("Đơn đề nghị cấp bản sao văn bằng, chứng chỉ", O, 1, True, None), ID_CARD],
        "Bản sao văn bằng, chứng chỉ từ sổ gốc",
        "Thông tư số 21/2019/TT-BGDĐT.",
    ),
    (
        "H18-GD-03",
        "Chuyển trường đối với học sinh trung học phổ thông",
        "GD",
        3,
        "3",
        WD,
        "09",
        [],
        [
            ("Đơn xin chuyển trường của cha mẹ học sinh", O, 1, True, None),
            ("Học bạ", O, 1, True, None),
        ],
        "Quyết định tiếp nhận học sinh",
        "Thông tư số 50/2021/TT-BGDĐT.",
    ),
    (
        "H18-LD-01",
        "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
        "LD",
        4,
        "5",
        WD,
        "02",
        [("Lệ phí cấp giấy phép lao động", 600000, "Mỗi giấy phép")],
        [
            ("Văn bản đề nghị cấp giấy phép lao động (mẫu số 11)", O, 1, True, None),
            ("Giấy chứng nhận sức khỏe", O, 1, True, None),
            ("Phiếu lý lịch tư pháp", CC, 1, True, None),
        ],
        "Giấy phép lao động",
        "Bộ luật Lao động số 45/2019/QH14; Nghị định số 152/2020/NĐ-CP; Nghị định số 70/2023/NĐ-CP.",
    ),
    (
        "H18-LD-02",
        "Cấp lại giấy phép lao động cho người lao động nước ngoài",
        "LD",
        4,
        "3",
        WD,
        "02",
        [("Lệ phí", 450000, "Mỗi giấy phép")],
        [
            ("Văn bản đề nghị cấp lại giấy phép lao động", O, 1, True, None),
            ("Giấy phép lao động còn thời hạn", O, 1, False, None),
        ],
        "Giấy phép lao động (cấp lại)",
        "Nghị định số 152/2020/NĐ-CP; Nghị định số 70/2023/NĐ-CP.",
    ),
    (
        "H18-LD-03",
        "Đăng ký nội quy lao động",
        "LD",
        3,
        "7",
        WD,
        "02",
        [],
        [
            ("Văn bản đề nghị đăng ký nội quy lao động", O, 1, True, None),
            ("Nội quy lao động", O, 1, True, None),
        ],
        "Thông báo về việc đăng ký nội quy lao động",
        "Bộ luật Lao động số 45/2019/QH14; Nghị định số 145/2020/NĐ-CP.",
    ),
    (
        "H18-VH-01",
        "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "VH",
        3,
        "5",
        WD,
        "10",
        [("Phí thẩm định", 4000000, "Đến 3 phòng; từ phòng thứ 4 thêm 1.000.000 đ/phòng")],
        [
            ("Đơn đề nghị cấp giấy phép", O, 1, True, None),
            ("Giấy chứng nhận đăng ký doanh nghiệp", C, 1, True, None),
        ],
        "Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "Nghị định số 54/2019/NĐ-CP.",
    ),
    (
        "H18-VH-02",
        "Công nhận hạng cơ sở lưu trú du lịch: hạng 1 sao, 2 sao",
        "VH",
        3,
        "30",
        CD,
        "10",
        [("Phí thẩm định", 1500000, "Mỗi cơ sở")],
        [
            ("Đơn đề nghị công nhận hạng", O, 1, True, None),
            ("Bản tự đánh giá chất lượng cơ sở lưu trú", O, 1, True, None),
        ],
        "Quyết định công nhận hạng cơ sở lưu trú du lịch",
        "Luật Du lịch số 09/2017/QH14; Nghị định số 168/2017/NĐ-CP.",
    ),
    (
        "H18-BTXH-01",
        "Thực hiện trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội",
        "BTXH",
        3,
        "20",
        WD,
        "commune",
        [],
        [
            ("Tờ khai đề nghị trợ giúp xã hội (mẫu số 1a)", O, 1, True, None),
            ("Giấy xác nhận khuyết tật (nếu có)", C, 1, False, None),
        ],
        "Quyết định trợ cấp xã hội hằng tháng",
        "Nghị định số 20/2021/NĐ-CP; Nghị định số 76/2024/NĐ-CP.",
    ),
    (
        "H18-BTXH-02",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "BTXH",
        3,
        "3",
        WD,
        "commune",
        [],
        [
            ("Tờ khai đề nghị hỗ trợ chi phí mai táng (mẫu số 4)", O, 1, True, None),
            ("Trích lục khai tử", C, 1, True, None),
        ],
        "Quyết định hỗ trợ chi phí mai táng",
        "Nghị định số 20/2021/NĐ-CP.",
    ),
]

#: English names shown when the portal is switched to English.
NAMES_EN = {
    "1.001193": "Birth registration",
    "1.000894": "Marriage registration",
    "1.000656": "Death registration",
    "1.004873": "Certificate of marital status",
    "1.001022": "Registration of parentage (father, mother, child)",
    "H18-HT-01": "Re-registration of a birth",
    "H18-HT-02": "Change, correction or completion of civil-status information",
    "H18-HT-03": "Copy of a civil-status extract",
    "H18-HT-04": "Guardianship registration",
    "2.000908": "Copy from the master register",
    "2.000815": "Certified copy from the original of a Vietnamese document",
    "2.000884": "Certification of a signature",
    "H18-CT-01": "Certification of a contract on movable property",
    "H18-CT-02": "Certification of an amendment or cancellation of a contract",
    "2.000488": "Judicial record certificate for Vietnamese citizens and resident foreigners",
    "H18-LLTP-01": "Judicial record certificate for prosecuting bodies",
    "1.001612": "Registration of a private enterprise",
    "H18-DKKD-01": "Registration of a single-member limited liability company",
    "H18-DKKD-02": "Registration of a joint-stock company",
    "H18-DKKD-03": "Change of a company's head-office address",
    "H18-DKKD-04": "Registration of a household business",
    "H18-DKKD-05": "Temporary suspension of business",
    "H18-DD-01": "First land registration and land-use right certificate",
    "H18-DD-02": "Exchange of a land-use right certificate",
    "H18-DD-03": "Registration of a land transfer, gift or inheritance",
    "H18-DD-04": "Permission to change the use of land",
    "H18-DD-05": "Registration of a mortgage on land",
    "H18-XD-01": "Building permit for a detached house",
    "H18-XD-02": "Building permit for a grade III or IV structure",
    "H18-XD-03": "Construction practising certificate, grades II and III",
    "H18-GTVT-01": "Exchange of a driving licence",
    "H18-GTVT-02": "Badge for a commercial transport vehicle",
    "H18-GTVT-03": "Licence for road transport business",
    "H18-YT-01": "Pharmacy practising certificate",
    "H18-YT-02": "Pharmacy business eligibility certificate",
    "H18-YT-03": "Operating licence for a general clinic",
    "H18-GD-01": "Re-marking of a high-school graduation exam",
    "H18-GD-02": "Copy of a diploma from the master register",
    "H18-GD-03": "Transfer of a high-school pupil",
    "H18-LD-01": "Work permit for a foreign employee",
    "H18-LD-02": "Reissue of a work permit for a foreign employee",
    "H18-LD-03": "Registration of internal labour rules",
    "H18-VH-01": "Licence for a karaoke business",
    "H18-VH-02": "Star rating (1–2 stars) of tourist accommodation",
    "H18-BTXH-01": "Monthly social allowance",
    "H18-BTXH-02": "Funeral-cost support for social-protection beneficiaries",
}

COMMUNE_STEPS = [
    ("Tiếp nhận, kiểm tra hồ sơ, lập phiếu hẹn", StepRole.CLERK, "10", "Bộ phận Một cửa UBND xã"),
    (
        "Thẩm định, xử lý hồ sơ, dự thảo kết quả",
        StepRole.SPECIALIST,
        "60",
        "Công chức chuyên môn UBND xã",
    ),
    ("Phê duyệt, ký kết quả", StepRole.LEADER, "20", "Chủ tịch / Phó Chủ tịch UBND xã"),
    ("Trả kết quả cho người yêu cầu", StepRole.CLERK, "10", "Bộ phận Một cửa UBND xã"),
]
DEPARTMENT_STEPS = [
    (
        "Tiếp nhận, kiểm tra hồ sơ, chuyển phòng chuyên môn",
        StepRole.CLERK,
        "5",
        "Trung tâm Phục vụ hành chính công tỉnh",
    ),
    ("Thẩm định hồ sơ, dự thảo kết quả", StepRole.SPECIALIST, "65", "Phòng chuyên môn"),
    ("Phê duyệt, ký số kết quả", StepRole.LEADER, "20", "Lãnh đạo Sở"),
    ("Vào sổ, đóng dấu, phát hành", StepRole.CLERICAL, "5", "Văn thư Sở"),
    ("Trả kết quả", StepRole.CLERK, "5", "Trung tâm Phục vụ hành chính công tỉnh"),
]


def _fee_kinds(fees: list) -> list[tuple[str, int, str, str, int]]:
    """The demo's fee lines with their kind (issue 14): the first line and the reduced / exempt
    ones are cases (LLTP: 200.000 đ, or 100.000 đ for students and people with meritorious
    services, Circular 244/2016/TT-BTC), per-copy lines count the copies beyond those included
    (5.000 đ per certificate from the third one on), any other line is charged in every case."""
    out: list[tuple[str, int, str, str, int]] = []
    for name, amount, applies_to in fees:
        kind, free = guess_kind(
            name, applies_to, first=not any(o[3] != FeeKind.PER_COPY for o in out)
        )
        out.append((name, amount, applies_to, kind, free))
    return out


def _template_file(spec: str) -> tuple[str, str, bytes]:
    filename, label = spec.split("|", 1)
    return filename, label, (TEMPLATES_DIR / filename).read_bytes()


@transaction.atomic
def seed_procedures() -> int:
    """Create the demo catalogue and publish it (idempotent: a procedure already published is left
    alone, so re-seeding never adds versions). Needs the demo agencies (``seed_agencies``).
    Returns the number of demo procedures in the catalogue."""
    for i, (code, name, name_en) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "ordering": i}
        )
    sectors = {s.code: s for s in Sector.objects.all()}
    communes = list(
        Agency.objects.filter(
            level=AgencyLevel.COMMUNE, code__regex=r"^000\.00\.(5[1-9]|[6-9][0-9])\.H18$"
        )
    )
    for (
        code,
        name,
        sector,
        level,
        amount,
        unit,
        where,
        fees,
        documents,
        result,
        legal,
    ) in PROCEDURES:
        existing = Procedure.objects.filter(code=code).first()
        if existing is not None and existing.state == PublicationState.PUBLISHED:
            if not existing.name_en and code in NAMES_EN:  # demo data from before the English names
                existing.name_en = NAMES_EN[code]
                existing.save(update_fields=["name_en"])
            current = procedure_current_version(existing)
            if current is not None and any("kind" not in f for f in current.snapshot["fees"]):
                procedure_publish(procedure=existing)  # demo data from before the fee cases
            if existing.eform != EFORMS.get(
                code, existing.eform
            ):  # demo data from before the e-forms
                existing.eform = EFORMS[code]
                existing.save(update_fields=["eform"])
                procedure_publish(procedure=existing)
            continue
        at_commune = where == "commune"
        procedure, _ = Procedure.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": NAMES_EN.get(code, ""),
                "sector": sectors[sector],
                "level": ServiceLevel(level),
                "processing_time": Decimal(amount),
                "time_unit": unit,
                "cutoff_time": time(16, 0) if at_commune else time(15, 0),
                "agency_levels": [AgencyLevel.COMMUNE if at_commune else AgencyLevel.DEPARTMENT],
                "result": result,
                "legal_basis": legal,
                "eform": EFORMS.get(code, {}),
                "applicant_types": "Công dân Việt Nam"
                if sector in ("HT", "CT", "LLTP", "BTXH")
                else "Cá nhân, tổ chức",
                "conditions": ""
                if sector in ("HT", "CT")
                else "Đáp ứng các điều kiện theo quy định tại căn cứ pháp lý của thủ tục.",
                "description": (
                    "Nộp hồ sơ trực tiếp tại Bộ phận Một cửa, qua dịch vụ bưu chính công ích"
                    + (" hoặc trực tuyến trên Cổng dịch vụ công." if level >= 3 else ".")
                ),
            },
        )
        procedure.agencies.set(
            communes if at_commune else Agency.objects.filter(code=f"000.00.{where}.H18")
        )
        procedure.fees.all().delete()
        procedure.documents.all().delete()
        procedure.steps.all().delete()
        ProcedureFee.objects.bulk_create(
            ProcedureFee(
                procedure=procedure,
                name=f,
                amount=Decimal(a),
                applies_to=t,
                kind=kind,
                free_copies=free,
            )
            for f, a, t, kind, free in _fee_kinds(fees)
        )
        for order, (doc_name, kind, copies, required, template) in enumerate(documents, start=1):
            doc = RequiredDocument(
                procedure=procedure,
                order=order,
                name=doc_name,
                paper_kind=kind,
                copies=copies,
                is_required=required,
            )
            if template:
                filename, label, content = _template_file(template)
                doc.template_name = label
                stored = f"procedures/templates/demo/{filename}"
                if default_storage.exists(stored) and default_storage.size(stored) == len(content):
                    doc.template.name = (
                        stored  # already there from an earlier seed: no duplicate file
                    )
                else:
                    doc.template.save(f"demo/{filename}", ContentFile(content), save=False)
            doc.save()
        for order, (step, role, share, dept) in enumerate(
            COMMUNE_STEPS if at_commune else DEPARTMENT_STEPS, start=1
        ):
            ProcedureStep.objects.create(
                procedure=procedure,
                order=order,
                name=step,
                role=role,
                department_hint=dept,
                share_percent=Decimal(share),
            )
        procedure_publish(procedure=procedure)
    return Procedure.objects.filter(code__in=[p[0] for p in PROCEDURES]).count()
