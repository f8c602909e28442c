"""Accounts: citizens and businesses register themselves; staff are created by an administrator.

Every staff account belongs to an agency (and optionally a department inside it) and holds one or
more roles through :class:`StaffRole`. What a user may see or do is decided by
:mod:`portal.accounts.selectors`, never by templates.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import AccountKind, Role


class PortalUserManager(UserManager["User"]):
    def citizens(self):
        return self.filter(kind__in=[AccountKind.CITIZEN, AccountKind.BUSINESS])

    def staff_members(self):
        return self.filter(kind=AccountKind.STAFF)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """``createsuperuser`` makes a staff account (not a citizen waiting for e-mail verification)."""
        from django.utils import timezone

        extra_fields.setdefault("kind", AccountKind.STAFF)
        extra_fields.setdefault("email_verified_at", timezone.now() if email else None)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    kind = models.CharField(
        _("account kind"), max_length=10, choices=AccountKind.choices, default=AccountKind.CITIZEN
    )
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    citizen_id = models.CharField(_("citizen ID (CCCD)"), max_length=12, blank=True, db_index=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, db_index=True)
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("agency"),
    )
    department = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="department_staff",
        verbose_name=_("department"),
        help_text=_("A unit inside the agency (phòng, ban), if any."),
    )
    position = models.CharField(
        _("position"), max_length=120, blank=True, help_text=_("e.g. Phó Giám đốc")
    )
    language = models.CharField(
        _("language"), max_length=5, choices=[("vi", "Tiếng Việt"), ("en", "English")], default="vi"
    )
    notify_email = models.BooleanField(_("notify by e-mail"), default=True)
    notify_sms = models.BooleanField(_("notify by SMS"), default=False)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="user_email_unique"
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="user_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == AccountKind.STAFF

    @property
    def is_applicant(self) -> bool:
        return self.kind in (AccountKind.CITIZEN, AccountKind.BUSINESS)

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = (
                frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            )
            self._role_cache = cached
        return cached

    @property
    def is_portal_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()


class StaffRole(models.Model):
    """One role held by a staff account, within that account's agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="staffrole_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class EidIdentity(models.Model):
    """An account's link to a national e-ID (VNeID through the national portal's sign-on).

    Keyed by the provider's issuer and subject; the account itself is found by the citizen ID
    (``SoDinhDanh``) or, for a business, its tax code (``MaSoThue``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="eid_identities")
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    assurance_level = models.PositiveSmallIntegerField(_("assurance level"), default=1)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last e-ID login"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-ID link")
        verbose_name_plural = _("e-ID links")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="eididentity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.subject}"


class VerifiedFact(models.Model):
    """One claim about the account as the national e-ID vouched for it: its value, source and time.

    A fact replaces the previous value of the same name from the same source at each e-ID login;
    e-forms prefill and lock the fields they map to (:mod:`procedures.eforms`).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verified_facts")
    name = models.CharField(_("claim"), max_length=64)
    value = models.JSONField(_("value"))
    source = models.CharField(
        _("source"), max_length=255, help_text=_("The issuer that vouched for it.")
    )
    assurance_level = models.PositiveSmallIntegerField(_("assurance level"), default=1)
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("verified fact")
        verbose_name_plural = _("verified facts")
        constraints = [
            models.UniqueConstraint(fields=["user", "name", "source"], name="verifiedfact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class DataAccessKind(models.TextChoices):
    DOSSIER = "dossier", _("Dossier")
    FILE = "file", _("Dossier file or result")
    IDENTITY = "identity", _("Verified identity data")


class DataAccess(models.Model):
    """One look by a staff member at a citizen's data: who, when, what and why (the dossier it
    was for). The citizen reads his list on his profile (Estonia's "Andmejälgija" / Data Tracker);
    an access with no dossier of the citizen behind it is ``flagged`` for the province's
    administrator. Append-only by use: nothing edits or deletes these rows.

    Kept on the ground floor (accounts) with the dossier by id and code, so that the citizen's
    profile reads it without importing the dossiers app."""

    citizen = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="data_accesses", verbose_name=_("citizen")
    )
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    staff_agency_name = models.CharField(_("agency"), max_length=255, blank=True)
    kind = models.CharField(_("what"), max_length=10, choices=DataAccessKind.choices)
    dossier_id = models.PositiveBigIntegerField(_("dossier id"), null=True, blank=True)
    dossier_code = models.CharField(_("dossier"), max_length=40, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    flagged = models.BooleanField(
        _("flagged"),
        default=False,
        db_index=True,
        help_text=_("No dossier of the citizen was behind this access."),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("data access")
        verbose_name_plural = _("data accesses")
        indexes = [models.Index(fields=["citizen", "-at"], name="dataaccess_citizen_at")]

    def __str__(self) -> str:
        return f"{self.staff} → {self.citizen} ({self.get_kind_display()})"
