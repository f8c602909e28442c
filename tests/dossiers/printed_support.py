"""Helpers of the printed-form tests: a realistic dossier of Điện Biên and pdftotext."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from portal.accounts.models import User
from tests.factories.dossiers import ProcedureFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def pdf_text(path_or_bytes: Path | bytes, tmp_path: Path | None = None) -> str:
    """The text of a PDF as pdftotext extracts it, NFC, whitespace collapsed (\\f kept as ' \\f ')."""
    if isinstance(path_or_bytes, bytes):
        assert tmp_path is not None
        path = tmp_path / "x.pdf"
        path.write_bytes(path_or_bytes)
    else:
        path = path_or_bytes
    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    raw = unicodedata.normalize("NFC", raw)
    return " \f ".join(" ".join(page.split()) for page in raw.split("\f"))


def name_world(world) -> None:
    """Vietnamese names with diacritics for the world's people, a real procedure."""
    for user, name in (
        (world.citizen, "Lò Thị Hương"),
        (world.clerk, "Quàng Văn Đức"),
        (world.specialist, "Cà Thị Mai"),
        (world.leader, "Lường Văn Thắng"),
    ):
        User.objects.filter(pk=user.pk).update(full_name=name)
        user.full_name = name
    User.objects.filter(pk=world.leader.pk).update(position="Phó Giám đốc")
    world.leader.position = "Phó Giám đốc"
    world.agency.phone = "0215 3825 678"
    world.agency.counter_name = "Bộ phận Một cửa Sở Tư pháp"
    world.agency.save()
    world.procedure = ProcedureFactory(
        agency=world.agency, name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    )


def at(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)
