"""The generated province's catalogue: its sectors, the names its people bear, and the agencies,
departments, communes and procedures :func:`build_catalogue` writes before the dossiers.

Split out of :mod:`dashboards.dev.generator` (issue 16: no module over 500 lines), which imports
it; like the generator, a development tool production code may not import (``.importlinter``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from portal.agencies.constants import AgencyLevel
from portal.agencies.models import Agency

GENERATED_KEY = "_generated"

SECTORS = [
    ("Đất đai", "Land"),
    ("Hộ tịch", "Civil status"),
    ("Chứng thực", "Certification"),
    ("Đăng ký kinh doanh", "Business registration"),
    ("Xây dựng", "Construction"),
    ("Giao thông vận tải", "Transport"),
    ("Tư pháp", "Justice"),
    ("Lao động - Thương binh", "Labour"),
    ("Giáo dục", "Education"),
    ("Y tế", "Health"),
    ("Tài nguyên môi trường", "Environment"),
    ("Công thương", "Industry and trade"),
    ("Nông nghiệp", "Agriculture"),
    ("Văn hóa - Thể thao", "Culture and sport"),
    ("Thông tin truyền thông", "Information"),
    ("Nội vụ", "Home affairs"),
    ("Tài chính", "Finance"),
    ("Kế hoạch đầu tư", "Planning and investment"),
]
COMMUNE_SECTORS = {"Hộ tịch", "Chứng thực", "Đất đai", "Lao động - Thương binh", "Tư pháp"}
#: Relative volume per month (January and February dip around Tết; year-end rush).
NAMES = [
    "Lò Văn",
    "Quàng Thị",
    "Nguyễn Văn",
    "Trần Thị",
    "Lê Văn",
    "Cà Văn",
    "Lường Thị",
    "Vì Văn",
    "Phạm Thị",
    "Hoàng Văn",
]
GIVEN = [
    "Pâng",
    "Ánh",
    "Minh",
    "Hoa",
    "Dũng",
    "Xuân",
    "Thắm",
    "Tuấn",
    "Lan",
    "Sơn",
    "Hương",
    "Bình",
]


# --- the catalogue ----------------------------------------------------------------------------


@dataclass
class Catalogue:
    province: Agency
    departments: list[Agency]
    communes: list[Agency]
    procedures: list[dict] = field(
        default_factory=list
    )  # id, version_id, sector, level, days, fee, commune, agency_ids, weight
    user_id: int = 0


def build_catalogue(rng: random.Random, *, agencies: int, procedures: int, seed: int) -> Catalogue:
    """Agencies (a province, its departments and communes), sectors, published procedures."""
    from django.contrib.auth import get_user_model

    from procedures.models import Procedure, ProcedureVersion, Sector
    from procedures.services import procedure_snapshot

    tag = f"{seed % 100:02d}"
    province, _ = Agency.objects.get_or_create(
        code=f"000.00.00.G{tag}",
        defaults={"name": f"UBND tỉnh (sinh tự động {seed})", "level": AgencyLevel.PROVINCE},
    )
    n_dep = max(1, min(25, agencies // 12))
    departments: list[Agency] = []
    communes: list[Agency] = []
    for i in range(1, agencies):
        is_dep = i <= n_dep
        code = f"000.{(i // 100):02d}.{(i % 100):02d}.G{tag}"
        name = (
            f"Sở {SECTORS[(i - 1) % len(SECTORS)][0]}"
            if is_dep
            else f"UBND xã {GIVEN[i % len(GIVEN)]} {i}"
        )
        a, _ = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": AgencyLevel.DEPARTMENT if is_dep else AgencyLevel.COMMUNE,
                "parent": province,
                "receiving_code": f"G{tag}.{i:03d}",
            },
        )
        (departments if is_dep else communes).append(a)
    sectors = []
    for i, (vi, en) in enumerate(SECTORS):
        s, _ = Sector.objects.get_or_create(
            code=f"GEN{tag}-{i:02d}", defaults={"name": vi, "name_en": en, "ordering": i}
        )
        sectors.append(s)
    User = get_user_model()
    user = User.objects.filter(username=f"generator{tag}").first()
    if user is None:
        # The author of the generated supplement requests, apologies and history rows; no usable password.
        user = User.objects.create_user(
            username=f"generator{tag}",
            password=None,
            kind="staff",
            agency=province,
            full_name="Dữ liệu sinh tự động",
            is_active=False,
        )
    cat = Catalogue(province, departments, communes, user_id=user.pk)
    for i in range(procedures):
        sector = sectors[i % len(sectors)]
        commune = sector.name in COMMUNE_SECTORS and rng.random() < 0.6 and bool(communes)
        level = rng.choices([2, 3, 4], [0.3, 0.35, 0.35])[0]
        days = rng.choice([1, 3, 5, 5, 7, 10, 15, 20])
        code = f"9.{seed % 1000:03d}{i:03d}"
        p = Procedure.objects.filter(code=code).first()
        if p is None:
            p = Procedure.objects.create(
                code=code,
                name=f"{sector.name}: thủ tục {i + 1}",
                sector=sector,
                level=level,
                processing_time=Decimal(days),
                state="published",
                version=1,
                published_at=timezone.now(),
                agency_levels=["commune"] if commune else ["department"],
            )
            dep = departments[i % len(departments)]
            if not commune:
                p.agencies.add(dep)
            version = ProcedureVersion.objects.create(
                procedure=p, version=1, snapshot=procedure_snapshot(p)
            )
        else:
            latest = p.versions.order_by("-version").first()
            assert latest is not None  # a generated procedure has its version 1
            version = latest
            dep = departments[i % len(departments)]
        fee = rng.choice([0, 0, 0, 0, 20000, 50000, 100000]) if level >= 3 else 0
        cat.procedures.append(
            {
                "id": p.pk,
                "version_id": version.pk,
                "sector_id": p.sector_id,
                "level": p.level,
                "days": days,
                "fee": fee,
                "fee_decimal": Decimal(fee),
                "commune": commune,
                "agency": None if commune else dep,
                "weight": 1.0 / (i + 1) ** 0.9,
            }
        )
    return cat
