#!/usr/bin/env python
"""Regenerate the PNG previews of the printed forms 01-07 under docs/forms/.

    .venv/bin/python scripts/form_previews.py [--dpi 60]

Runs the real pipeline (services → dossiers.printing → WeasyPrint → pdftoppm) on a throwaway
SQLite database in a temporary folder: a realistic dossier of Sở Tư pháp tỉnh Điện Biên goes
through reception, a supplement request, processing (one step early, one on time, one late), an
apology and the return; another is refused, another stopped; the tracking book covers June 2026.
Nothing of the developer's own database or media is touched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "forms"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = {
    "01": "form-01-receipt",
    "02": "form-02-supplement",
    "03": "form-03-refusal",
    "04": "form-04-apology",
    "05": "form-05-stop",
    "06": "form-06-control",
    "07": "form-07-book",
}


def _setup(tmp: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"sqlite:///{tmp}/previews.sqlite3",
            "PORTAL_VAR_DIR": tmp,
            "MEDIA_ROOT": f"{tmp}/media",
            "REDIS_URL": "",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=VN)


def _forms() -> dict[str, object]:
    """Drive realistic dossiers through the services; return one PrintedForm per kind."""
    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from dossiers import printing, services
    from dossiers.models import PrintedForm
    from portal.accounts.constants import Role
    from portal.agencies.constants import AgencyLevel
    from tests.dossiers.conftest import PDF
    from tests.factories.accounts import StaffFactory
    from tests.factories.agencies import AgencyFactory
    from tests.factories.dossiers import CitizenFactory, ProcedureFactory

    province = AgencyFactory(province=True)
    # a provincial department's own unit code (000.00.xx.Hnn), not a ministry's receiving code
    agency = AgencyFactory(
        name="Sở Tư pháp",
        code="000.00.03.H18",
        parent=province,
        receiving_code="",
        phone="0215 3825 678",
        counter_name="Bộ phận Một cửa Sở Tư pháp",
    )
    division = AgencyFactory(
        name="Phòng Hành chính tư pháp", parent=agency, level=AgencyLevel.DIVISION
    )
    clerk = StaffFactory(agency=agency, roles=[Role.CLERK], full_name="Quàng Văn Đức")
    specialist = StaffFactory(
        agency=agency, department=division, roles=[Role.SPECIALIST], full_name="Cà Thị Mai"
    )
    leader = StaffFactory(
        agency=agency,
        department=division,
        roles=[Role.LEADER],
        full_name="Lường Văn Thắng",
        position="Phó Giám đốc",
    )
    procedure = ProcedureFactory(
        agency=agency, name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    )
    people = [
        ("Lò Thị Hương", "Tổ dân phố 5, phường Mường Thanh, tỉnh Điện Biên", "0912345678"),
        ("Tòng Văn Páo", "Bản Him Lam, xã Thanh Nưa, tỉnh Điện Biên", "0987654321"),
        ("Vừ A Dính", "Bản Huổi Só, xã Tủa Chùa, tỉnh Điện Biên", "0977111222"),
        ("Giàng Thị Dợ", "Tổ 3, phường Điện Biên Phủ, tỉnh Điện Biên", "0966333444"),
    ]

    def submitted(i: int):
        name, address, phone = people[i % len(people)]
        citizen = CitizenFactory(
            full_name=name,
            address=address,
            phone=f"{phone[:-2]}{i:02d}",
            citizen_id=f"0112000{i:05d}",
        )
        # the first applicant registers, at submission, to receive the result by post (form 01 item 6)
        d = services.dossier_save_draft(
            actor=citizen,
            procedure=procedure,
            agency=agency,
            form_data={"note": "x"},
            applicant={
                "name": name,
                "delivery": "post" if i == 0 else "counter",
                "delivery_address": address if i == 0 else "",
            },
        )
        doc_id = d.procedure_version.snapshot["documents"][0]["id"]
        services.dossier_add_file(
            dossier=d,
            actor=citizen,
            uploaded_file=SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf"),
            document_id=doc_id,
        )
        return services.dossier_submit(dossier=d, actor=citizen)

    with time_machine.travel(at(9, 8, 30), tick=False) as traveller:
        main = submitted(0)
        services.dossier_request_supplement(
            dossier=main,
            actor=clerk,
            reason="Tờ khai chưa ghi đủ thông tin",
            items=[
                {
                    "document": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                    "reason": "Thiếu nơi cư trú trước đây",
                }
            ],
        )
        traveller.move_to(at(9, 9, 15))
        services.dossier_add_file(  # the requested item's slot (Decree 118/2025: what was asked)
            dossier=main,
            actor=clerk,
            uploaded_file=SimpleUploadedFile(
                "to-khai-bo-sung.pdf", PDF, content_type="application/pdf"
            ),
            supplement_item=0,
        )
        services.dossier_answer_supplement(dossier=main, actor=clerk, comment="Đã bổ sung tại quầy")
        main = services.dossier_receive(dossier=main, actor=clerk, comment="Hồ sơ đầy đủ")
        refused = services.dossier_refuse(
            dossier=submitted(1),
            actor=clerk,
            reason="Thủ tục không thuộc thẩm quyền giải quyết của Sở Tư pháp",
        )
        stopped = services.dossier_receive(dossier=submitted(2), actor=clerk)
        for i in range(3, 40):
            services.dossier_receive(dossier=submitted(i), actor=clerk)
        traveller.move_to(at(9, 10))
        services.dossier_assign(
            dossier=main,
            actor=clerk,
            department=division,
            assignee=specialist,
            comment="Chuyển phòng xử lý",
        )
        traveller.move_to(at(10, 9))
        services.dossier_forward_for_approval(
            dossier=main, actor=specialist, leader=leader, comment="Đủ điều kiện cấp"
        )
        services.dossier_stop(
            dossier=stopped, actor=leader, reason="Người nộp đề nghị dừng để bổ sung giấy tờ gốc"
        )
        traveller.move_to(
            at(15, 9)
        )  # the working day before the due date: form 04 goes out before it
        services.dossier_record_apology(
            dossier=main,
            actor=leader,
            reason="Cần xác minh thông tin tại Công an tỉnh",
            new_due_at=at(19, 16),
        )
        traveller.move_to(at(18, 15))
        services.dossier_approve(dossier=main, actor=leader)
        traveller.move_to(at(19, 10))
        services.dossier_return_result(dossier=main, actor=clerk)
        with transaction.atomic():
            book = printing.request_tracking_book(
                agency=agency, start=date(2026, 6, 1), end=date(2026, 6, 30), actor=clerk
            )
    return {
        "01": PrintedForm.objects.get(dossier=main, kind="01"),
        "02": PrintedForm.objects.get(dossier=main, kind="02"),
        "03": PrintedForm.objects.get(dossier=refused, kind="03"),
        "04": PrintedForm.objects.get(dossier=main, kind="04"),
        "05": PrintedForm.objects.get(dossier=stopped, kind="05"),
        "06": PrintedForm.objects.get(dossier=main, kind="06"),
        "07": book,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="form-previews-") as tmp:
        _setup(tmp)
        from dossiers import printing

        OUT.mkdir(parents=True, exist_ok=True)
        for kind, form in _forms().items():
            data, pages = printing.render_bytes(form)
            pdf = Path(tmp) / f"{kind}.pdf"
            pdf.write_bytes(data)
            target = OUT / NAMES[kind]
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    str(args.dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(target),
                ],
                check=True,
            )
            print(
                f"{target.relative_to(ROOT)}.png  ({pages} page{'s' if pages > 1 else ''}, {len(data) // 1024} KiB)"
            )


if __name__ == "__main__":
    main()
