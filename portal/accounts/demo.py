"""Demo logins for every role, printed by ``manage.py seed_demo``."""

from __future__ import annotations

from typing import Any

from portal.agencies.models import Agency

from .constants import AccountKind, Role
from .models import StaffRole, User

DEMO_PASSWORD = "DienBien@2026"

#: (username, full name, kind, agency code, department code, roles, position, extra)
DEMO_USERS: list[tuple[str, str, str, str | None, str | None, list[str], str, dict[str, Any]]] = [
    (
        "admin",
        "Quản trị hệ thống",
        AccountKind.STAFF,
        "000.00.00.H18",
        None,
        [Role.ADMIN],
        "Quản trị viên",
        {"is_superuser": True, "is_staff": True},
    ),
    (
        "tinh",
        "Lò Văn Tỉnh",
        AccountKind.STAFF,
        "000.00.00.H18",
        "000.00.01.H18",
        [Role.PROVINCIAL],
        "Chuyên viên Văn phòng UBND tỉnh",
        {},
    ),
    (
        "motcua.tuphap",
        "Nguyễn Thị Hoa",
        AccountKind.STAFF,
        "000.00.03.H18",
        None,
        [Role.CLERK],
        "Công chức Bộ phận Một cửa",
        {},
    ),
    (
        "chuyenvien.tuphap",
        "Trần Văn Minh",
        AccountKind.STAFF,
        "000.00.03.H18",
        "000.01.03.H18",
        [Role.SPECIALIST],
        "Chuyên viên Phòng Hành chính tư pháp",
        {},
    ),
    (
        "lanhdao.tuphap",
        "Lường Văn Sơn",
        AccountKind.STAFF,
        "000.00.03.H18",
        None,
        [Role.LEADER],
        "Phó Giám đốc Sở Tư pháp",
        {},
    ),
    (
        "vanthu.tuphap",
        "Đỗ Thị Lan",
        AccountKind.STAFF,
        "000.00.03.H18",
        None,
        [Role.CLERICAL],
        "Văn thư Sở Tư pháp",
        {},
    ),
    (
        "motcua.muongthanh",
        "Quàng Thị Mai",
        AccountKind.STAFF,
        "000.00.52.H18",
        None,
        [Role.CLERK],
        "Công chức Bộ phận Một cửa",
        {},
    ),
    (
        "chuyenvien.muongthanh",
        "Vì Văn Hùng",
        AccountKind.STAFF,
        "000.00.52.H18",
        None,
        [Role.SPECIALIST],
        "Công chức Tư pháp - Hộ tịch",
        {},
    ),
    (
        "lanhdao.muongthanh",
        "Cà Văn Dũng",
        AccountKind.STAFF,
        "000.00.52.H18",
        None,
        [Role.LEADER],
        "Chủ tịch UBND phường",
        {},
    ),
    (
        "vanthu.muongthanh",
        "Lò Thị Thu",
        AccountKind.STAFF,
        "000.00.52.H18",
        None,
        [Role.CLERICAL],
        "Văn thư UBND phường",
        {},
    ),
    (
        "congdan",
        "Nguyễn Văn An",
        AccountKind.CITIZEN,
        None,
        None,
        [],
        "",
        {"citizen_id": "011095001234", "phone": "0912345678", "email": "congdan@example.vn"},
    ),
    (
        "doanhnghiep",
        "Công ty TNHH Thương mại Mường Thanh",
        AccountKind.BUSINESS,
        None,
        None,
        [],
        "",
        {
            "tax_code": "0100109106",
            "organisation_name": "Công ty TNHH Thương mại Mường Thanh",
            "email": "doanhnghiep@example.vn",
        },
    ),
]


def seed_users() -> list[tuple[str, str]]:
    """Create the demo accounts (idempotent). Returns (username, role label) pairs."""
    from django.utils import timezone

    out = []
    for username, full_name, kind, agency_code, dept_code, roles, position, extra in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "kind": kind}
        )
        user.full_name = full_name
        user.kind = kind
        user.position = position
        user.agency = Agency.objects.get(code=agency_code) if agency_code else None
        user.department = Agency.objects.get(code=dept_code) if dept_code else None
        user.email = extra.get("email", f"{username}@dienbien.gov.vn")
        user.email_verified_at = user.email_verified_at or timezone.now()
        for key, value in extra.items():
            setattr(user, key, value)
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        for role in roles:
            StaffRole.objects.get_or_create(user=user, role=role)
        label = ", ".join(str(Role(r).label) for r in roles) or str(AccountKind(kind).label)
        out.append((username, label))
    return out
