"""The national catalogue (LayDanhSachTTHC / LayThuTuc; LayDanhMucCoQuan / LayDanhMucLinhVuc):
pulled, mapped to the local procedures by the national code (MaTTHC = ``Procedure.code``), the
differences shown, and accepted by an administrator (issue 17, "Catalogue"). The agency and sector
lists are pulled with it and compared by code with the local agencies and sectors (shown only:
the agency tree and the sectors are kept by their own admin pages).

Field names are OpenCPS's (``DVCQGIntegrationActionImpl``: ``MATTHC``, ``TENTTHC``, ``MALINHVUC``,
``TENLINHVUC``, ``THOIGIANGIAIQUYET``). Accepting copies the national name onto the local
procedure; the local entry is then published again by the catalogue's own workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from portal.agencies.models import Agency
from procedures.models import Procedure, Sector

from .client import DvcqgClient
from .models import NationalProcedure, NationalUnit, UnitKind

if TYPE_CHECKING:
    from portal.accounts.models import User


class CatalogueError(Exception):
    pass


#: (service, kind, code key, name key, level key) of the two lists pulled with the catalogue
#: (OpenCPS ``doSyncGovernmentAgency`` reads ``MADONVI``/``TENDONVI``/``CAPDONVI``).
UNIT_LISTS = (
    ("LayDanhMucCoQuan", UnitKind.AGENCY, "MADONVI", "TENDONVI", "CAPDONVI"),
    ("LayDanhMucLinhVuc", UnitKind.SECTOR, "MALINHVUC", "TENLINHVUC", ""),
)


def pull_units(*, client: DvcqgClient) -> int:
    """Pull DVCQG's agency and sector lists (``LayDanhMucCoQuan``, ``LayDanhMucLinhVuc``)."""
    now = timezone.now()
    count = 0
    for service, kind, code_key, name_key, level_key in UNIT_LISTS:
        for item in client.call(service).get("result") or []:
            code = str(item.get(code_key) or "").strip()[:40]
            if not code or not isinstance(item, dict):
                continue
            NationalUnit.objects.update_or_create(
                kind=kind,
                code=code,
                defaults={
                    "name": str(item.get(name_key) or "")[:500],
                    "level": str(item.get(level_key) or "")[:20] if level_key else "",
                    "raw": item,
                    "pulled_at": now,
                },
            )
            count += 1
    return count


def unit_differences() -> list[tuple[NationalUnit, list[str]]]:
    """Each national agency and sector with what differs from the local one of the same code."""
    entries = list(NationalUnit.objects.all())
    agencies = {
        a.code: a.name
        for a in Agency.objects.filter(
            code__in=[e.code for e in entries if e.kind == UnitKind.AGENCY]
        )
    }
    sectors = {
        s.code: s.name
        for s in Sector.objects.filter(
            code__in=[e.code for e in entries if e.kind == UnitKind.SECTOR]
        )
    }
    out = []
    for entry in entries:
        local = (agencies if entry.kind == UnitKind.AGENCY else sectors).get(entry.code)
        if local is None:
            problems = ["Chưa có trong danh mục của tỉnh"]
        elif local.strip() != entry.name.strip():
            problems = [f"Tên: «{local}» → «{entry.name}»"]
        else:
            problems = []
        out.append((entry, problems))
    return out


def pull_catalogue(*, client: DvcqgClient | None = None) -> int:
    """Pull the agency and sector lists, then the procedure list and each procedure's details;
    returns how many procedures were stored."""
    client = client or DvcqgClient()
    pull_units(client=client)
    listed = client.call("LayDanhSachTTHC").get("result") or []
    now = timezone.now()
    locals_by_code = {
        p.code: p
        for p in Procedure.objects.filter(code__in=[str(i.get("MATTHC", "")) for i in listed])
    }
    count = 0
    for item in listed:
        code = str(item.get("MATTHC") or "").strip()
        if not code:
            continue
        details = (client.call("LayThuTuc", maTTHC=code).get("result") or [item])[0]
        NationalProcedure.objects.update_or_create(
            code=code,
            defaults={
                "name": str(details.get("TENTTHC") or item.get("TENTTHC") or "")[:1000],
                "sector_code": str(details.get("MALINHVUC") or "")[:40],
                "sector_name": str(details.get("TENLINHVUC") or "")[:500],
                "processing_time": str(details.get("THOIGIANGIAIQUYET") or "")[:200],
                "level": int(details["MUCDO"])
                if str(details.get("MUCDO") or "").isdigit()
                else None,
                "raw": details,
                "procedure": locals_by_code.get(code),
                "pulled_at": now,
            },
        )
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
def accept(*, code: str, actor: User) -> NationalProcedure:
    """Take the national name (and level) onto the mapped local procedure."""
    entry = (
        NationalProcedure.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .filter(code=code)
        .first()
    )
    if entry is None:
        raise CatalogueError(f"Không có thủ tục quốc gia {code}.")
    if entry.procedure is None:
        raise CatalogueError(f"Thủ tục {code} chưa có trong danh mục của tỉnh: hãy thêm nó trước.")
    local = Procedure.objects.select_for_update().get(pk=entry.procedure.pk)
    local.name = entry.name[:500]
    if entry.level in (2, 3, 4):
        local.level = entry.level
    local.save(update_fields=["name", "level", "updated_at"])
    entry.accepted_at = timezone.now()
    entry.save(update_fields=["accepted_at"])
    return entry
