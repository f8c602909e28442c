"""Every write on accounts: registration, e-mail verification, profile edits, staff creation.

Views, the admin, the API and the ``create_staff`` command call these functions; none of them
writes a :class:`~portal.accounts.models.User` on its own. Each function validates first and raises
:class:`django.core.exceptions.ValidationError` (a dict keyed by field name) so nothing is half
written, then writes inside one transaction.

All account e-mail leaves through :func:`account_mail_send` (and only there through
:func:`deliver_mail`), so the notifications framework can redirect it in one place.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.agencies.models import Agency
from portal.core.text import nfc

from .constants import AccountKind, Role
from .models import StaffRole, User
from .validators import normalize_phone, validate_citizen_id, validate_tax_code

logger = logging.getLogger(__name__)

#: Salt of the signed e-mail verification token (changing it voids every link sent).
VERIFY_EMAIL_SALT = "portal.accounts.verify-email"
#: How long a verification link stays valid, in seconds (3 days by default).
VERIFY_EMAIL_MAX_AGE = getattr(settings, "ACCOUNT_VERIFY_EMAIL_MAX_AGE", 3 * 24 * 3600)


# --- e-mail -------------------------------------------------------------------------------------


def deliver_mail(*, to: str, subject: str, body: str) -> None:
    """The one place that hands an account e-mail to Django's mail backend."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    logger.info(
        "accounts.mail_sent", extra={"to_domain": to.rsplit("@", 1)[-1], "subject": subject}
    )


def account_mail_send(*, user: User, template: str, context: dict[str, Any]) -> None:
    """Render ``accounts/email/<template>_subject.txt`` / ``_body.txt`` and send them to ``user``.

    The body holds both languages, the user's preferred one first (the province writes to
    citizens in Vietnamese; foreigners and businesses may prefer English).
    """
    if not user.email:
        return
    primary = user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    order = [primary] + [code for code, _name in settings.LANGUAGES if code != primary]
    ctx = {"user": user, "site_url": settings.SITE_URL.rstrip("/"), **context}
    bodies = []
    subject = ""
    for lang in order:
        with translation.override(lang):
            if not subject:
                subject = " ".join(
                    render_to_string(f"accounts/email/{template}_subject.txt", ctx).split()
                )
            bodies.append(render_to_string(f"accounts/email/{template}_body.txt", ctx).strip())
    deliver_mail(to=user.email, subject=subject, body="\n\n-----\n\n".join(bodies) + "\n")


# --- e-mail verification ------------------------------------------------------------------------


def email_verification_token(*, user: User) -> str:
    """A signed, time-stamped token naming the user and the address being verified.

    The address is inside the token, so a link sent before the user changed their e-mail no
    longer verifies the new one.
    """
    return signing.dumps(
        {"u": user.pk, "e": user.email.lower()}, salt=VERIFY_EMAIL_SALT, compress=True
    )


def email_verification_url(*, user: User) -> str:
    path = reverse("accounts:verify_email", kwargs={"token": email_verification_token(user=user)})
    return str(settings.SITE_URL).rstrip("/") + path


def user_send_verification(*, user: User) -> None:
    """Send (again) the verification link, after the current transaction commits.

    At most 3 an hour per account (issue 13: an address typed into the profile API is mailed
    before anyone verified it; repeated changes must not turn the portal into a mail cannon)."""
    if not user.email or user.email_verified_at:
        return
    from portal.core import ratelimit

    if not ratelimit.hit("verify-mail", str(user.pk), limit=3, window=3600):
        logger.warning("accounts.verification_mail_throttled", extra={"user": user.pk})
        return
    url = email_verification_url(user=user)
    transaction.on_commit(
        lambda: account_mail_send(
            user=user,
            template="verify_email",
            context={"url": url, "days": VERIFY_EMAIL_MAX_AGE // 86400},
        )
    )


def user_verify_email(*, token: str) -> User:
    """Mark the address in ``token`` as verified. Raises ValidationError on a bad or old link."""
    try:
        data = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=VERIFY_EMAIL_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("This verification link has expired. Log in and ask for a new one."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This verification link is not valid."), code="invalid") from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
        if user is None or user.email.lower() != str(data.get("e", "")):
            raise ValidationError(_("This verification link is not valid."), code="invalid")
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
    return user


# --- registration -------------------------------------------------------------------------------


def _clean_contact(
    *, email: str, phone: str, exclude_pk: int | None = None
) -> tuple[str, str, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    others = User.objects.all() if exclude_pk is None else User.objects.exclude(pk=exclude_pk)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
        else:
            if others.filter(email__iexact=email).exists():
                errors.setdefault("email", []).append(
                    _("An account with this e-mail address already exists.")
                )
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError:
            errors.setdefault("phone", []).append(
                _("Enter a valid Vietnamese mobile number, e.g. 0912345678.")
            )
        else:
            if others.filter(phone=phone).exists():
                errors.setdefault("phone", []).append(
                    _("An account with this phone number already exists.")
                )
    return email, phone, errors


def user_register(
    *,
    kind: str,
    full_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    citizen_id: str = "",
    tax_code: str = "",
    organisation_name: str = "",
    language: str = "vi",
    consent: bool = True,
) -> User:
    """Create a citizen or business account (staff are created by an administrator only).

    The identity number becomes the username, so a citizen may also log in with their CCCD and a
    business with its tax code. The verification e-mail is sent after commit.
    """
    errors: dict[str, list[str]] = {}
    if kind not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        errors["kind"] = [_("Choose whether you register as a citizen or a business.")]
    full_name = " ".join(
        nfc(full_name or "").split()
    )  # NFC: decomposed Vietnamese is not found by search
    if not full_name:
        errors["full_name"] = [_("Enter your full name.")]
    if not consent:
        errors["consent"] = [_("You must accept the terms of use to register.")]
    email, phone, contact_errors = _clean_contact(email=email, phone=phone)
    errors.update(contact_errors)
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = [_("Enter an e-mail address or a mobile phone number (at least one).")]

    identity = ""
    citizen_id = (citizen_id or "").strip()
    tax_code = (tax_code or "").strip()
    organisation_name = " ".join(nfc(organisation_name or "").split())
    if kind == AccountKind.CITIZEN:
        tax_code, organisation_name = "", ""
        if not citizen_id:
            errors["citizen_id"] = [_("Enter your 12-digit citizen ID (CCCD).")]
        elif not citizen_id.isdigit() or len(citizen_id) != 12:
            errors["citizen_id"] = [_("The citizen ID (CCCD) must be exactly 12 digits.")]
        else:
            try:
                validate_citizen_id(citizen_id)
            except ValidationError:
                errors["citizen_id"] = [
                    _("The first three digits of the citizen ID are not a valid province code.")
                ]
            else:
                identity = citizen_id
                if User.objects.filter(
                    Q(citizen_id=citizen_id) | Q(username__iexact=citizen_id)
                ).exists():
                    errors["citizen_id"] = [_("An account with this citizen ID already exists.")]
    elif kind == AccountKind.BUSINESS:
        citizen_id = ""
        if not organisation_name:
            errors["organisation_name"] = [_("Enter the name of the business or organisation.")]
        if not tax_code:
            errors["tax_code"] = [_("Enter the tax code of the business.")]
        else:
            try:
                validate_tax_code(tax_code)
            except ValidationError as exc:
                if exc.code == "checksum":
                    errors["tax_code"] = [
                        _("The tax code's check digit is wrong: please check the number.")
                    ]
                else:
                    errors["tax_code"] = [
                        _(
                            "The tax code must be 10 digits, or 10 digits, a dash and 3 digits for a branch."
                        )
                    ]
            else:
                identity = tax_code
                if User.objects.filter(
                    Q(tax_code=tax_code) | Q(username__iexact=tax_code)
                ).exists():
                    errors["tax_code"] = [_("An account with this tax code already exists.")]

    candidate = User(
        username=identity,
        email=email,
        phone=phone,
        full_name=full_name,
        citizen_id=citizen_id,
        tax_code=tax_code,
    )
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            user = User(
                username=identity,
                kind=kind,
                full_name=full_name,
                email=email,
                phone=phone,
                citizen_id=citizen_id,
                tax_code=tax_code,
                organisation_name=organisation_name,
                language=language
                if language in dict(settings.LANGUAGES)
                else settings.LANGUAGE_CODE,
                notify_email=bool(email),
                notify_sms=not email and bool(phone),
            )
            user.set_password(password)
            user.save()
            user_send_verification(user=user)
    except IntegrityError as exc:  # a concurrent registration with the same address or number
        raise ValidationError(
            {"__all__": [_("An account with these details already exists.")]}
        ) from exc
    logger.info("accounts.registered", extra={"user_id": user.pk, "kind": kind})
    return user


# --- profile ------------------------------------------------------------------------------------

#: Fields a person may change on their own profile page.
PROFILE_FIELDS = (
    "full_name",
    "email",
    "phone",
    "address",
    "language",
    "notify_email",
    "notify_sms",
)


def user_update_profile(*, user: User, **changes: Any) -> User:
    """Change the editable profile fields. A new e-mail address must be verified again."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    email, phone, contact_errors = _clean_contact(
        email=changes.get("email", user.email),
        phone=changes.get("phone", user.phone),
        exclude_pk=user.pk,
    )
    errors.update(contact_errors)
    if "full_name" in changes:
        changes["full_name"] = " ".join(nfc(changes["full_name"] or "").split())
        if not changes["full_name"]:
            errors["full_name"] = [_("Enter your full name.")]
    if user.is_applicant and not email and not phone and not contact_errors:
        errors["email"] = [_("Enter an e-mail address or a mobile phone number (at least one).")]
    if changes.get("language", user.language) not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose a language.")]
    if changes.get("notify_email") and not email:
        errors["notify_email"] = [_("Add an e-mail address to be notified by e-mail.")]
    if changes.get("notify_sms") and not phone:
        errors["notify_sms"] = [_("Add a mobile number to be notified by SMS.")]
    if errors:
        raise ValidationError(errors)
    email_changed = email != user.email.lower()
    changes["email"], changes["phone"] = email, phone
    with transaction.atomic():
        for field, value in changes.items():
            setattr(user, field, value)
        if email_changed:
            user.email_verified_at = None
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"__all__": [_("An account with these details already exists.")]}
            ) from exc
        if email_changed:
            user_send_verification(user=user)
    return user


# --- staff --------------------------------------------------------------------------------------


def staff_placement_errors(
    *, kind: str | None, agency: Agency | None, department: Agency | None
) -> dict[str, list[str]]:
    """Every staff account belongs to an agency; a department must be a unit inside that agency."""
    errors: dict[str, list[str]] = {}
    if kind == AccountKind.STAFF and agency is None:
        errors["agency"] = [_("A staff account must belong to an agency.")]
    if department is not None:
        if agency is None:
            errors.setdefault("agency", []).append(
                _("Choose the agency the department belongs to.")
            )
        elif department.pk == agency.pk or not department.is_within(agency):
            errors["department"] = [_("The department must be a unit inside the chosen agency.")]
    return errors


def staff_create(
    *,
    username: str,
    agency: Agency,
    roles: Iterable[str],
    full_name: str = "",
    email: str = "",
    phone: str = "",
    department: Agency | None = None,
    position: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create a staff account with its roles (administrators only; never self-service).

    Returns the user and the password set (a random one when none is given).
    """
    roles = list(dict.fromkeys(roles))
    errors = staff_placement_errors(kind=AccountKind.STAFF, agency=agency, department=department)
    bad = [r for r in roles if r not in Role.values]
    if bad:
        errors["roles"] = [_("Unknown role: %(roles)s.") % {"roles": ", ".join(bad)}]
    if not roles:
        errors.setdefault("roles", []).append(_("Give the staff account at least one role."))
    if not username or User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is empty or already taken.")]
    email, phone, contact_errors = _clean_contact(email=email, phone=phone)
    errors.update(contact_errors)
    password = password or secrets.token_urlsafe(12) + "9a"
    candidate = User(username=username, email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User(
            username=username,
            kind=AccountKind.STAFF,
            full_name=full_name or username,
            email=email,
            phone=phone,
            agency=agency,
            department=department,
            position=position,
            is_staff=Role.ADMIN in roles,  # only administrators reach the Django admin
            email_verified_at=timezone.now() if email else None,
        )
        user.set_password(password)
        user.save()
        StaffRole.objects.bulk_create([StaffRole(user=user, role=r) for r in roles])
    logger.info(
        "accounts.staff_created", extra={"user_id": user.pk, "agency": agency.code, "roles": roles}
    )
    return user, password
