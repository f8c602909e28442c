"""The national catalogue (LayDanhSachTTHC / LayThuTuc; LayDanhMucCoQuan / LayDanhMucLinhVuc):
pulled, mapped to the local procedures by the national code (MaTTHC = ``Procedure.code``), the
differences shown, and accepted by an administrator (issue 17, "Catalogue").

Field names are OpenCPS's (``DVCQGIntegrationActionImpl``: ``MATTHC``, ``TENTTHC``, ``MALINHVUC``,
``TENLINHVUC``, ``THOIGIANGIAIQUYET``). Accepting copies the national name onto the local
procedure; the local entry is then published again by the catalogue's own workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from procedures.models import Procedure

from .client import DvcqgClient
from .models import NationalProcedure


class CatalogueError(Exception):
    pass


def pull_catalogue(*, client: DvcqgClient | None = None) -> int:
    """Pull the list and each procedure's details; returns how many entries were stored."""
    client = client or DvcqgClient()
    listed = client.call("LayDanhSachTTHC").get("result") or []
    now = timezone.now()
    locals_by_code = {p.code: p for p in Procedure.objects.filter(code__in=[str(i.get("MATTHC", "")) for i in listed])}
    count = 0
    for item in listed:
        code = str(item.get("MATTHC") or "").strip()
        if not code:
            continue
        details = (client.call("LayThuTuc", maTTHC=code).get("result") or [item])[0]
        NationalProcedure.objects.update_or_create(code=code, defaults={
            "name": str(details.get("TENTTHC") or item.get("TENTTHC") or "")[:1000],
            "sector_code": str(details.get("MALINHVUC") or "")[:40], "sector_name": str(details.get("TENLINHVUC") or "")[:500],
            "processing_time": str(details.get("THOIGIANGIAIQUYET") or "")[:200],
            "level": int(details["MUCDO"]) if str(details.get("MUCDO") or "").isdigit() else None,
            "raw": details, "procedure": locals_by_code.get(code), "pulled_at": now,
        })
        count += 1
    return count


@dataclass(frozen=True)
class Difference:
    entry: NationalProcedure
    problems: list[str]


def differences() -> list[Difference]:
    out = []
    for entry in NationalProcedure.objects.select_related("procedure__sector"):
        local: Any = entry.procedure
        problems = []
        if local is None:
            problems.append("Chưa có trong danh mục của tỉnh")
        else:
            if local.name.strip() != entry.name.strip():
                problems.append(f"Tên: «{local.name}» → «{entry.name}»")
            if entry.sector_code and local.sector.code != entry.sector_code:
                problems.append(f"Lĩnh vực: {local.sector.code} → {entry.sector_code}")
            if entry.level and local.level != entry.level:
                problems.append(f"Mức độ: {local.level} → {entry.level}")
        out.append(Difference(entry, problems))
    return out


@transaction.atomic
def accept(*, code: str, actor: Any) -> NationalProcedure:
    """Take the national name (and level) onto the mapped local procedure."""
    entry = NationalProcedure.objects.select_for_update(of=("self",)).select_related("procedure").filter(code=code).first()
    if entry is None:
        raise CatalogueError(f"Không có thủ tục quốc gia {code}.")
    if entry.procedure is None:
        raise CatalogueError(f"Thủ tục {code} chưa có trong danh mục của tỉnh: hãy thêm nó trước.")
    local = Procedure.objects.select_for_update().get(pk=entry.procedure_id)
    local.name = entry.name[:500]
    if entry.level in (2, 3, 4):
        local.level = entry.level
    local.save(update_fields=["name", "level", "updated_at"])
    entry.accepted_at = timezone.now()
    entry.save(update_fields=["accepted_at"])
    return entry
