"""The JSON DVCQG reads, computed from the dossier's real data (no constant flags).

Field names follow the public implementations (docs/national/dvcqg.md): OpenCPS
``createSyncDossierBodyRequest`` / ``createSyncDossierStatusBodyRequest`` and Thanh Hóa's
``SyncDataToDVCQG.HoSoDongBoDVC`` / ``QuaTrinhXuLyDongBoDVC`` / ``TaiLieuNopDongBoDVC``, which adds
what Decision 766/QĐ-TTg reads: ``KenhThucHien`` (channel), ``TaiKhoanDuocXacThucVoiVNeID``,
``DuocThanhToanTrucTuyen``, ``HoSoCoThanhPhanSoHoa`` and per file ``DuocSoHoa`` / ``DuocTaiSuDung``,
and the e-result files (``DanhSachGiayToKetQua``).

Status: the dossier keeps the national codes 1–10 as its stored status (dossiers.constants), so
``TrangThaiHoSo`` is the status itself; 0 (draft) is never sent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from dossiers.constants import Action, DossierStatus, ResultDelivery
from dossiers.eforms import definition_of, eform_answers
from dossiers.models import Dossier, DossierEvent
from dossiers.payments.constants import PaymentMethod, PaymentStatus

from .client import format_date

RESULT_LINK_SALT = "dvcqg.result"

#: How each history action reads on DVCQG's progress line (NoiDungXuLy), in Vietnamese.
_DELIVERY_CODES: dict[str, str] = {ResultDelivery.POST: "1", ResultDelivery.ONLINE: "2"}

ACTION_TEXT: dict[str, str] = {
    Action.SUBMIT: "Nộp hồ sơ",
    Action.CREATE_AT_COUNTER: "Ghi nhận hồ sơ tại quầy",
    Action.RECEIVE: "Tiếp nhận hồ sơ",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    Action.ANSWER_SUPPLEMENT: "Bổ sung hồ sơ",
    Action.REFUSE: "Từ chối tiếp nhận",
    Action.ASSIGN: "Phân công xử lý",
    Action.FORWARD: "Trình phê duyệt",
    Action.SEND_BACK: "Trả lại để xử lý lại",
    Action.APPROVE: "Phê duyệt kết quả",
    Action.REQUEST_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Action.CONFIRM_PAYMENT: "Xác nhận thanh toán",
    Action.RETURN_RESULT: "Trả kết quả",
    Action.WITHDRAW: "Rút hồ sơ",
    Action.STOP: "Dừng xử lý",
    Action.TRANSFER: "Chuyển liên thông",
    Action.RATE: "Đánh giá",
    Action.APOLOGISE: "Xin lỗi và hẹn lại",
}


def result_link(dossier: Dossier) -> str:
    """A signed, expiring link to the result file (``DuongDanTepTinKetQua``): DVCQG fetches the
    file without a portal account; the token names the dossier and the file it was made for."""
    token = signing.dumps(
        {"d": dossier.pk, "f": dossier.result_file.name}, salt=RESULT_LINK_SALT, compress=True
    )
    return settings.SITE_URL.rstrip("/") + reverse("dvcqg:result_file", args=[token])


def paid_online_flag(dossier: Dossier) -> str:
    """``DuocThanhToanTrucTuyen``: "1" paid online, "3" an online payment asked for but not paid,
    "0" no online payment (Thanh Hóa's values, SyncLocalDataToDVCQGService)."""
    prefetched = getattr(dossier, "dvcqg_online_payments", None)  # the drain's prefetch
    if prefetched is not None:
        payments = [p.status for p in prefetched]
    else:
        payments = list(
            dossier.payments.filter(method=PaymentMethod.ONLINE).values_list("status", flat=True)
        )
    if PaymentStatus.PAID in payments:
        return "1"
    return "3" if payments else "0"


def vneid_flag(dossier: Dossier) -> str:
    """``TaiKhoanDuocXacThucVoiVNeID``: the applicant's account was verified with VNeID. A dossier
    filed on DVCQG carries the answer (DVCQG logs citizens in with VNeID); a local account
    counts when its identity came from VNeID (an ``vneid_verified_at`` the sign-on sets; the
    accounts app has none yet, so local accounts answer "0" until it does)."""
    inbound = getattr(dossier, "dvcqg_inbound", None) if hasattr(dossier, "dvcqg_inbound") else None
    if inbound is not None and inbound.vneid_verified:
        return "1"
    account = dossier.applicant
    return "1" if account is not None and getattr(account, "vneid_verified_at", None) else "0"


def eform_fields(dossier: Dossier) -> dict[str, Any]:
    """The declaration filled in as an e-form (issue 18), as structured data: ``DuLieuBieuMau``
    holds the answers as the citizen submitted them and the server validated them (field name →
    value; a repeating group is a list of objects; dates ISO ``yyyy-mm-dd``; an address
    ``{"commune", "detail"}``), ``TenBieuMau`` / ``KyHieuBieuMau`` the declaration's title and
    official form number (e.g. "Mẫu TP/HT-2020-KS.1 (Thông tư số 04/2020/TT-BTP)").

    Decision 1565/QĐ-TTg asks for data entered once and reused (the e-form's structured data, not
    only its PDF); Decree 45/2020/NĐ-CP governs the electronic dossier (the article that would
    name the form data field could not be checked here: docs/regulations.md). Neither public
    implementation sends form data in ``DongBoHoSoMC`` (OpenCPS leaves ``ThongTinKhac`` empty, Thanh
    Hóa's ``HoSoDongBoDVC`` has no such field; docs/national/dvcqg.md): the name is the one the
    dossiers DVCQG pushes to us carry (``DuLieuBieuMau``, national/dvcqg/inbound.py), so the data
    has one shape both ways. Nothing is added for a dossier without an e-form."""
    answers = eform_answers(dossier)
    if not answers:
        return {}
    defn = definition_of(dossier.procedure_version.snapshot)
    return {
        "DuLieuBieuMau": answers,
        "TenBieuMau": defn.get("title", ""),
        "KyHieuBieuMau": defn.get("legal_form", ""),
    }


def dossier_payload(dossier: Dossier) -> dict[str, Any]:
    """One item of ``DongBoHoSoMC``'s ``data`` list: the dossier as it is now."""
    snapshot = dossier.procedure_version.snapshot
    files = list(dossier.files.all())
    fees = snapshot.get("fees") or []
    item: dict[str, Any] = {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "MaLinhVuc": dossier.procedure.sector.code,
        "TenLinhVuc": dossier.procedure.sector.name,
        "KenhThucHien": str(dossier.channel),
        "ChuHoSo": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.applicant_citizen_id or dossier.applicant_tax_code,
        "LoaiDoiTuong": "2"
        if dossier.applicant_tax_code and not dossier.applicant_citizen_id
        else "1",
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": dossier.procedure.name,
        "NgayNopHoSo": format_date(dossier.submitted_at),
        "NgayTiepNhan": format_date(dossier.received_at or dossier.submitted_at),
        "NgayHenTra": format_date(dossier.rescheduled_due_at or dossier.due_at),
        "TrangThaiHoSo": str(dossier.status),
        "NgayKetThucXuLy": format_date(dossier.finished_at),
        "NgayTra": format_date(dossier.returned_at),
        "HinhThuc": _DELIVERY_CODES.get(dossier.result_delivery, "0"),
        "DonViXuLy": (dossier.handling_department or dossier.receiving_agency).name,
        "NoiNopHoSo": "2" if dossier.channel == 2 else "1",
        "HoSoCoThanhPhanSoHoa": "1" if any(f.is_digitised for f in files) else "0",
        "TaiKhoanDuocXacThucVoiVNeID": vneid_flag(dossier),
        "DuocThanhToanTrucTuyen": paid_online_flag(dossier),
        "TaiLieuNop": [
            {
                "TepDinhKemId": str(f.pk),
                "TenTepDinhKem": f.original_name,
                "IsDeleted": "0",
                "MaThanhPhanHoSo": str(f.document_id or ""),
                "DuongDanTaiTepTin": "",
                "DuocSoHoa": "1" if f.is_digitised else "0",
                "DuocTaiSuDung": "1" if f.reused_from_id else "0",
            }
            for f in files
        ],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": f.get("name", ""),
                "MaPhiLePhi": "",
                "HinhThucThu": "",
                "Gia": str(f.get("amount", "0")),
                "LoaiPhiLePhi": "",
            }
            for f in fees
        ],
        "DanhSachGiayToKetQua": [],
    }
    item.update(eform_fields(dossier))
    if dossier.result_file and dossier.status in (DossierStatus.PROCESSED, DossierStatus.RETURNED):
        item["DanhSachGiayToKetQua"] = [
            {
                "TenGiayTo": "Kết quả giải quyết",
                "MaThanhPhanHoSo": "",
                "GiayToId": f"KQ-{dossier.pk}",
                "DuongDanTepTinKetQua": result_link(dossier),
            }
        ]
    return item


def progress_payload(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """One item of ``CapNhatTienDoHoSoMC``'s ``data``: one history row (a processing step)."""
    actor = event.actor
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": (actor.full_name or actor.username) if actor else "Cổng Dịch vụ công quốc gia",
        "ChucDanh": getattr(actor, "position", "") if actor else "",
        "ThoiDiemXuLy": format_date(event.created_at),
        "PhongBanXuLy": event.to_agency.name if event.to_agency else "",
        "NoiDungXuLy": f"{event.seq}. {ACTION_TEXT.get(event.action, event.action)}"
        + (f": {event.comment[:500]}" if event.comment else ""),
        "TrangThai": str(event.to_status if event.to_status else dossier.status),
        "NgayBatDau": format_date(event.created_at) if event.action == Action.RECEIVE else "",
        "NgayKetThucTheoQuyDinh": format_date(dossier.due_at)
        if event.action == Action.RECEIVE
        else "",
    }
