"""Writes for the national e-ID login: link the account, keep the claims as verified facts.

Accounts are linked by the citizen ID (``SoDinhDanh``), a business by its tax code (``MaSoThue``),
never by a name or an e-mail address. A staff account is never linked to a citizen's e-ID. Every
claim the provider vouched for is kept as a :class:`VerifiedFact` with its source (the issuer) and
time, so e-forms can prefill and lock what the state already knows (Decision 1565/QĐ-TTg: "enter
once, reuse").
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .constants import AccountKind
from .models import EidIdentity, User, VerifiedFact
from .oidc import EidLoginError, EidResult

log = logging.getLogger("portal.eid")

#: Claims kept as verified facts (names as the national sign-on returns them).
FACT_CLAIMS = (
    "SoDinhDanh",
    "HoVaTen",
    "NgayThangNamSinh",
    "GioiTinh",
    "LoaiTaiKhoan",
    "loAs",
    "IAL",
    "TechID",
    "ThuongTru",
    "NoiOHienNay",
    "QueQuan",
    "QuocTich",
    "DanToc",
    "SoDienThoai",
    "ThuDienTu",
    "MaSoThue",
    "MaSoDoanhNghiep",
    "TenDoanhNghiep",
    "DiaChi",
)

BUSINESS_ACCOUNT = 2  # LoaiTaiKhoan: 1 citizen, 2 organisation


def _free(field: str, value: str, *, exclude: int | None = None) -> str:
    if not value:
        return ""
    qs = User.objects.filter(**{f"{field}__iexact": value})
    if exclude:
        qs = qs.exclude(pk=exclude)
    return "" if qs.exists() else value


@transaction.atomic
def eid_link_account(*, result: EidResult) -> User:
    """Find (or create) the account the e-ID names and record what it vouched for."""
    c = result.claims
    number = str(c["SoDinhDanh"])
    is_business = str(c.get("LoaiTaiKhoan", "1")) == str(BUSINESS_ACCOUNT)
    tax_code = str(c.get("MaSoThue") or c.get("MaSoDoanhNghiep") or "")
    if is_business and not tax_code:
        raise EidLoginError("no_tax_code")
    link = (
        EidIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=result.issuer, subject=result.subject)
        .first()
    )
    user: User | None
    if link:
        user = link.user
    elif is_business:
        user = User.objects.filter(kind=AccountKind.BUSINESS, tax_code=tax_code).first()
    else:
        user = User.objects.filter(kind=AccountKind.CITIZEN, citizen_id=number).first()
    if user is not None:
        if not user.is_applicant or not user.is_active:
            raise EidLoginError("not_applicant")
        if (is_business and user.tax_code != tax_code) or (
            not is_business and user.citizen_id and user.citizen_id != number
        ):
            raise EidLoginError("link_mismatch")
    now = timezone.now()
    if user is None:
        user = User(
            username=f"vneid_{tax_code}" if is_business else f"vneid_{number}",
            kind=AccountKind.BUSINESS if is_business else AccountKind.CITIZEN,
            email=_free("email", str(c.get("ThuDienTu") or "")),
            phone=_free("phone", str(c.get("SoDienThoai") or "")),
        )
        user.set_unusable_password()
    user.full_name = str(c.get("HoVaTen") or user.full_name)[:150]
    if is_business:
        user.tax_code = tax_code
        user.organisation_name = str(c.get("TenDoanhNghiep") or user.organisation_name)[:255]
        user.address = str(c.get("DiaChi") or user.address)[:255]
    else:
        user.citizen_id = number
        user.address = user.address or str(c.get("NoiOHienNay") or c.get("ThuongTru") or "")[:255]
    if (
        user.email
        and not user.email_verified_at
        and user.email.lower() == str(c.get("ThuDienTu") or "").lower()
    ):
        user.email_verified_at = now  # the national e-ID vouched for this address
    user.save()
    if link is None:
        link = EidIdentity(issuer=result.issuer, subject=result.subject, user=user)
    link.assurance_level = result.assurance_level
    link.last_login_at = now
    link.save()
    # one read and at most one bulk update and one bulk insert, not a query pair per claim
    existing = {f.name: f for f in VerifiedFact.objects.filter(user=user, source=result.issuer)}
    changed, new = [], []
    for name in FACT_CLAIMS:
        if c.get(name) in (None, ""):
            continue
        fact = existing.get(name)
        if fact is None:
            new.append(
                VerifiedFact(
                    user=user,
                    name=name,
                    source=result.issuer,
                    value=c[name],
                    assurance_level=result.assurance_level,
                    verified_at=now,
                )
            )
        else:
            fact.value, fact.assurance_level, fact.verified_at = (
                c[name],
                result.assurance_level,
                now,
            )
            changed.append(fact)
    if changed:
        VerifiedFact.objects.bulk_update(changed, ["value", "assurance_level", "verified_at"])
    if new:
        VerifiedFact.objects.bulk_create(new)
    log.info(
        "eid.login",
        extra={"user_id": user.pk, "issuer": result.issuer, "loa": result.assurance_level},
    )
    return user
